"""MultigridHook on tiny runs of the multigrid config: the clip shapes,
batch sizes, epoch lengths and learning rates of the plan that
MultigridSchedule gives; a warm-up converted to iterations sized by the
plan; exact resume with a persistent worker; refusals; a teacher-output
store filled and read with multigrid clips."""
import os.path as osp
from collections import Counter
from types import SimpleNamespace

import pytest
import torch
from helpers import (REPO_ROOT, TinyDistillData, release_workers,
                     tiny_cfg_options, unformatted)
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.testing import RunnerTestCase

from mmsakd.datasets import MultigridSchedule
from mmsakd.engine.hooks import (MultigridHook, RandomSubsetHook,
                                 TeacherStoreHook, unwrap_model)

CFG = 'configs/multigrid/kd_multigrid_slowfast_tiny_synthetic.py'
SAKD_CFG = 'configs/synthetic/sakd_slowfast_tiny_synthetic.py'
LOADER = 'train_dataloader.dataset.'
NUM_CLIPS = 24  # the tiny training set
BATCH = 4
BASE_LR = 2e-3
# The base clip of the config: 16 frames every 1, 32 x 32.
CLIP = (16, 1, (32, 32))


class ScheduledLr(Hook):
    """Records the learning rates the schedulers set, before MultigridHook
    (ABOVE_NORMAL) scales them."""

    priority = 'HIGH'

    def __init__(self):
        self.lrs = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.lrs.append([g['lr'] for g in runner.optim_wrapper.param_groups])


class Probe(Hook):
    """Records each iteration's epoch, input shapes and dataset indices,
    the learning rates of its optimizer step and after MultigridHook has
    restored them (before the iteration-based schedulers step, LOW), and
    the teacher's forwards during the iterations."""

    priority = 'NORMAL'

    def __init__(self):
        self.rows, self.step_lrs, self.after_lrs = [], [], []
        self.last_values = []
        self.teacher_samples = 0

    def before_train(self, runner):
        # The optimizer's own step: the schedulers count the wrapper's.
        optimizer = runner.optim_wrapper.optimizer
        step = optimizer.step

        def recorded_step(*args, **kwargs):
            self.step_lrs.append([g['lr'] for g in optimizer.param_groups])
            return step(*args, **kwargs)

        optimizer.step = recorded_step
        store = unwrap_model(runner).teacher_store
        self.filled_at_start = None if store is None else bool(
            store.filled().all())

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self._run = unwrap_model(runner).teacher_samples_run
        self.rows.append(
            SimpleNamespace(
                epoch=runner.epoch,
                shapes={tuple(x.shape)
                        for x in data_batch['inputs']},
                indices=[
                    s.metainfo['sample_idx']
                    for s in data_batch['data_samples']
                ]))

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None):
        self.teacher_samples += \
            unwrap_model(runner).teacher_samples_run - self._run
        self.after_lrs.append(
            [g['lr'] for g in runner.optim_wrapper.param_groups])
        self.last_values.append(list(runner.param_schedulers[-1]._last_value))


def planned_batches(schedule, epoch, indices=range(NUM_CLIPS)):
    """Counter of (code, batch size) of the batches of ``epoch`` over
    ``indices``."""
    codes = schedule.codes(epoch, NUM_CLIPS)[list(indices)]
    counts = torch.bincount(
        codes, minlength=len(schedule.space_factors(epoch)))
    batches = Counter()
    for code, count in enumerate(counts.tolist()):
        size = schedule.batch_size(epoch, BATCH, code)
        for start in range(0, count, size):
            # A batch of one clip is padded to MultigridBatchSampler's
            # min_batch of 2.
            batches[code, max(2, min(size, count - start))] += 1
    return batches


def trained_batches(schedule, rows):
    """Counter of (code, batch size) of the batches trained, each of one
    code in the shape of that code."""
    batches = Counter()
    for row in rows:
        codes = schedule.codes(row.epoch, NUM_CLIPS)
        code = {int(codes[i]) for i in row.indices}
        assert len(code) == 1, (row.epoch, row.indices)
        code = code.pop()
        frames, _, (width,
                    height) = schedule.clip_shape(row.epoch, code, *CLIP, 8)
        assert row.shapes == {(1, 3, frames, height, width)}, row.epoch
        batches[code, len(row.indices)] += 1
    return batches


# Epochs 0 and 1 in the cycles, 2 at the base shape: 3 + 3 + 6 iterations,
# with a warm-up over all three converted to iterations (MMEngine's own
# conversion would count 3 per epoch, the length of epoch 0).
MAX_EPOCHS, UNTIL_EPOCH, PLAN = 3, 2, [3, 3, 6]
WARMUP = dict(
    type='LinearLR',
    start_factor=0.1,
    by_epoch=True,
    begin=0,
    end=3,
    convert_to_iter_based=True)


class TestMultigridHook(TinyDistillData, RunnerTestCase):

    _straight = None

    @classmethod
    def tearDownClass(cls):
        cls._straight = None
        super().tearDownClass()

    def _cfg(self,
             name,
             max_epochs=MAX_EPOCHS,
             until_epoch=UNTIL_EPOCH,
             workers=0,
             schedulers=None,
             hooks=()):
        cfg = unformatted(Config.fromfile(osp.join(REPO_ROOT, CFG)))
        options = {
            key.replace(LOADER, LOADER + 'dataset.'): value
            for key, value in tiny_cfg_options(
                self.data_root, max_epochs=max_epochs,
                batch_size=BATCH).items()
        }
        options.update({
            'work_dir': osp.join(self.temp_dir.name, name),
            'model.teacher_ckpt': self.teacher_ckpt,
            'randomness.seed': 3,
            'train_cfg.val_begin': max_epochs + 1,  # no validation
            LOADER + 'schedule.until_epoch': until_epoch,
            'train_dataloader.num_workers': workers,
            'train_dataloader.persistent_workers': workers > 0,
        })
        cfg.merge_from_dict(options)
        if schedulers is not None:
            cfg.param_scheduler = schedulers
        cfg.custom_hooks = list(cfg.custom_hooks) + list(hooks)
        return cfg

    def _train(self, cfg):
        """Train; what the probes recorded, the planned length and the
        student's weights."""
        runner = self.build_runner(cfg)
        scheduled, probe = ScheduledLr(), Probe()
        runner.register_hook(scheduled)
        runner.register_hook(probe)
        runner.train()
        release_workers(runner)
        history = runner.message_hub.get_scalar('train/multigrid_lr_factor')
        return SimpleNamespace(
            probe=probe,
            scheduled=scheduled.lrs,
            factors=list(history.data[0]),
            max_iters=runner.train_loop.max_iters,
            weights=runner.model.student.state_dict(),
            store=next(
                (h.store
                 for h in runner.hooks if isinstance(h, TeacherStoreHook)),
                None))

    def _resume_cfg(self, name, **kwargs):
        # A persistent worker, which must follow the epochs set in the main
        # process; the converted warm-up, rebuilt before the resume.
        return self._cfg(name, workers=1, schedulers=[WARMUP], **kwargs)

    def _uninterrupted(self):
        """The uninterrupted run, shared by the tests of the class."""
        cls = type(self)
        if cls._straight is None:
            cls._straight = self._train(self._resume_cfg('straight'))
        return cls._straight

    def test_trains_on_the_plan(self):
        run = self._uninterrupted()
        probe = run.probe
        schedule = MultigridSchedule(until_epoch=UNTIL_EPOCH)
        assert run.max_iters == sum(PLAN) == len(probe.rows)
        for epoch in range(MAX_EPOCHS):
            rows = [r for r in probe.rows if r.epoch == epoch]
            assert len(rows) == PLAN[epoch]
            assert sorted(sum((r.indices for r in rows),
                              [])) == list(range(NUM_CLIPS))
            assert trained_batches(schedule,
                                   rows) == planned_batches(schedule,
                                                            epoch), epoch
        # Epoch 0 loads clips of 4 frames of 8, 16 and 24 pixels, all in
        # one batch per shape.
        assert {(next(iter(r.shapes))[2:], len(r.indices))
                for r in probe.rows[:3]} == {((4, 8, 8), 14), ((4, 16, 16), 7),
                                             ((4, 24, 24), 3)}
        # The steps take the scheduled lr times the square root of the
        # epoch's batch factor (the tiny config's rule, for AdamW), which
        # is restored exactly after each step.
        factors = [schedule.lr_factor(r.epoch, BATCH)**0.5 for r in probe.rows]
        assert factors == [8.0**0.5] * 3 + [2.0] * 3 + [1.0] * 6
        assert run.factors == factors
        assert len(probe.step_lrs) == len(probe.rows)
        for i, factor in enumerate(factors):
            assert probe.step_lrs[i] == [
                lr * factor for lr in run.scheduled[i]
            ], i
            assert probe.after_lrs[i] == run.scheduled[i], i
            assert probe.after_lrs[i] == probe.last_values[i], i
        # The warm-up spans the 12 planned iterations: as MMEngine's
        # LinearLR with end=12, it reaches the base lr at iteration 11.
        for i, lr in enumerate(run.scheduled):
            assert lr[0] == pytest.approx(
                BASE_LR * (0.1 + 0.9 * i / 11), rel=1e-9), i

    def test_resume_equals_uninterrupted(self):
        import stop_hook  # noqa: F401, registers StopAfterEpochHook
        straight = self._uninterrupted()
        stop = dict(type='StopAfterEpochHook', stop_epoch=1)
        self._train(self._resume_cfg('cut', hooks=[stop]))
        cfg = self._resume_cfg('cut')
        cfg.resume = True
        resumed = self._train(cfg)
        assert [r.epoch for r in resumed.probe.rows] == [1] * 3 + [2] * 6
        assert resumed.scheduled == straight.scheduled[3:]
        for key, value in resumed.weights.items():
            assert torch.equal(straight.weights[key], value), key

    def _refused(self, cfg, error, message):
        runner = self.build_runner(cfg)
        probe = Probe()
        runner.register_hook(probe)
        with pytest.raises(error, match=message):
            runner.train()
        assert probe.rows == []

    def test_needs_the_batch_sampler(self):
        cfg = self._cfg('no_batch_sampler')
        cfg.train_dataloader.pop('batch_sampler')
        self._refused(cfg, TypeError,
                      r"train_dataloader.batch_sampler=dict\(type='Multigrid")

    def test_refuses_clips_the_slow_pathway_cannot_take(self):
        # 16 frames at t = 0.125: 2, below the tiny pair's stride of 4.
        cfg = self._cfg('frames')
        cfg.train_dataloader.dataset.schedule.long_cycle = [(0.125, 1.0)]
        self._refused(
            cfg, ValueError, r'clips of \[2\] frames, but the student '
            r'backbone takes every 4-th frame.*'
            r'train_dataloader.dataset.frame_divisor=4')
        cfg = self._cfg('frames_divided')
        cfg.train_dataloader.dataset.schedule.long_cycle = [(0.125, 1.0)]
        cfg.train_dataloader.dataset.frame_divisor = 4
        cfg.train_cfg.max_epochs = 1
        run = self._train(cfg)
        assert {shape[-3]
                for row in run.probe.rows
                for shape in row.shapes} == {4}

    def test_refuses_iteration_schedulers_with_subset_hooks(self):
        schedulers = [dict(type='CosineAnnealingLR', T_max=3), WARMUP]
        cfg = self._cfg(
            'subset',
            schedulers=schedulers,
            hooks=[dict(type='RandomSubsetHook')])
        self._refused(
            cfg, ValueError,
            r'param_scheduler\[1\] \(LinearLR\) has convert_to_iter_'
            'based=True, which MultigridHook cannot size while '
            'RandomSubsetHook')

    def test_subset_hook_trains_its_subset_in_shapes(self):
        hook = dict(type='RandomSubsetHook', ratio=0.5)
        run = self._train(self._cfg('subset_run', hooks=[hook]))
        schedule = MultigridSchedule(until_epoch=UNTIL_EPOCH)
        draws = RandomSubsetHook(ratio=0.5, seed=3)
        iters = 0
        for epoch in range(MAX_EPOCHS):
            rows = [r for r in run.probe.rows if r.epoch == epoch]
            subset = draws.draw(epoch, NUM_CLIPS)
            assert len(subset) == NUM_CLIPS // 2
            assert sorted(set(sum((r.indices for r in rows), []))) == subset
            assert trained_batches(schedule, rows) == planned_batches(
                schedule, epoch, subset), epoch
            iters += len(rows)
        assert run.max_iters == iters

    def test_sakd_trains_its_subsets_in_shapes(self):
        sakd = Config.fromfile(osp.join(
            REPO_ROOT, SAKD_CFG)).default_hooks.sakd.to_dict()
        cfg = self._cfg('sakd')
        cfg.default_hooks.sakd = dict(
            sakd, ratio=0.5, score_num_workers=0, score_batch_size=8)
        run = self._train(cfg)
        for epoch in range(MAX_EPOCHS):
            rows = [r for r in run.probe.rows if r.epoch == epoch]
            # A round's subset of 12 distinct clips, in batches of one
            # shape each (a lone clip of a shape twice, min_batch).
            assert len(set(sum((r.indices for r in rows), []))) == 12
            assert all(len(r.shapes) == 1 for r in rows)
            assert all(len(r.indices) >= 2 for r in rows)

    def test_teacher_store_filled_and_read(self):
        # The first run fills the store before training, in batches of one
        # shape; the second reads it, after checking 8 stored clips of
        # mixed shapes against the live teacher before each epoch.
        runs = []
        for name, prefill, checks in (('fill', True, 0), ('read', False, 8)):
            cfg = self._cfg(name, max_epochs=2, until_epoch=1)
            clips = cfg.train_dataloader.dataset
            clips.dataset.indices = 8
            cfg.train_dataloader.dataset = dict(
                type='ReplayAugmentation', seed=0, dataset=clips)
            cfg.custom_hooks = [
                dict(type='ReplayAugmentationHook'),
                dict(
                    type='TeacherStoreHook',
                    root=osp.join(self.temp_dir.name, 'stores'),
                    dtype='float32',
                    prefill=prefill,
                    num_checks=checks),
                *cfg.custom_hooks,
            ]
            runs.append(self._train(cfg))
        for run in runs:
            assert run.probe.filled_at_start is True
            assert run.probe.teacher_samples == 0
            # Shapes of 5, 2 and 1 clips in epoch 0 (the lone clip twice,
            # min_batch), then 2 batches of 4.
            assert [len(r.indices) for r in run.probe.rows][3:] == [4, 4]
            assert sorted(len(r.indices)
                          for r in run.probe.rows[:3]) == [2, 2, 5]
        filled, read = runs
        assert filled.store.path == read.store.path
        assert read.store.shape[:2] == (2, 8)
        for key, value in read.weights.items():
            assert torch.equal(filled.weights[key], value), key


def test_lr_scaling_rules():
    hook = MultigridHook(lr_scaling='linear')
    hook._clips = [SimpleNamespace(schedule=MultigridSchedule())]
    hook._batch_sampler = SimpleNamespace(batch_size=BATCH)
    runner = SimpleNamespace(epoch=0)
    # Epoch 0: t = 1/4, s = 1/sqrt(2), a batch 8 times the base one.
    assert hook._lr_factor(runner) == 8
    hook.lr_scaling = 'sqrt'
    assert hook._lr_factor(runner) == pytest.approx(8**0.5)
    hook.lr_scaling = 'none'
    assert hook._lr_factor(runner) == 1
    with pytest.raises(ValueError, match='lr_scaling'):
        MultigridHook(lr_scaling='cubic')
