"""TeacherStoreHook on tiny runs: a first run fills the store, a second
reads every training clip from it and trains as the first did; a damaged
store, a random pipeline without replay, KD beyond logits and a store of
another teacher are refused before training, by both ranks of a two-rank
run."""
import os.path as osp
import shutil
import subprocess
import sys
import uuid
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from helpers import (REPO_ROOT, free_port, make_teacher_checkpoint,
                     tiny_cfg_options, unformatted)
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmsakd.engine.hooks import TeacherStoreHook, unwrap_model
from mmsakd.engine.store_fingerprint import fingerprint_name
from mmsakd.models.utils import TeacherOutputStore, run_recognizer

KD_CFG = 'configs/synthetic/kd_slowfast_tiny_synthetic.py'
FKD_CFG = 'configs/synthetic/fkd_slowfast_tiny_synthetic.py'
NUM_CLIPS = 8  # of the tiny training set, in 2 batches of 4
EPOCHS = 2
# A random crop, so that the two views of a clip differ.
CROP = [
    dict(type='RandomResizedCrop', area_range=(0.5, 1.0)),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
]


class Probe(Hook):
    """Records each training iteration's losses, rows (view, index) and
    the teacher's forwards during it (not the hook's checks)."""

    priority = 'LOWEST'

    def __init__(self):
        self.losses, self.rows, self.teacher_samples = [], [], 0

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self._run = unwrap_model(runner).teacher_samples_run

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None):
        model = unwrap_model(runner)
        self.teacher_samples += model.teacher_samples_run - self._run
        self.losses.append({k: v.item() for k, v in outputs.items()})
        self.rows.append([(s.metainfo['aug_view'], s.metainfo['sample_idx'])
                          for s in data_batch['data_samples']])


def _cfg(data_root,
         work_dir,
         teacher_ckpt,
         config=KD_CFG,
         replay=True,
         **hook_kwargs):
    cfg = unformatted(Config.fromfile(osp.join(REPO_ROOT, config)))
    cfg.merge_from_dict(tiny_cfg_options(data_root, max_epochs=EPOCHS))
    cfg.merge_from_dict({'train_cfg.val_begin': EPOCHS + 1})
    dataset = cfg.train_dataloader.dataset
    dataset.indices = NUM_CLIPS
    pipeline = dataset.pipeline
    decode = [t['type'] for t in pipeline].index('DecordDecode')
    dataset.pipeline = pipeline[:decode + 1] + CROP + pipeline[decode + 1:]
    hooks = [dict(type='TeacherStoreHook', **hook_kwargs)]
    if replay:
        cfg.train_dataloader.dataset = dict(
            type='ReplayAugmentation', seed=0, dataset=dataset)
        hooks.insert(0, dict(type='ReplayAugmentationHook'))
    cfg.custom_hooks = hooks
    cfg.model.teacher_ckpt = teacher_ckpt
    cfg.randomness = dict(seed=3)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'teacher_store_{uuid.uuid4().hex}'
    return cfg


def _train(cfg, probe=None):
    runner = Runner.from_cfg(cfg)
    probe = probe or Probe()
    runner.register_hook(probe)
    runner.train()
    hook = next(h for h in runner.hooks if isinstance(h, TeacherStoreHook))
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        log = f.read()
    return SimpleNamespace(
        probe=probe,
        log=log,
        store=hook.store,
        work_dir=runner.work_dir,
        model=unwrap_model(runner),
        dataset=runner.train_dataloader.dataset)


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    return make_teacher_checkpoint(
        str(tmp_path_factory.mktemp('teacher') / 'teacher.pth'))


def _cold_and_warm(dtype, data_root, teacher_ckpt, root):
    """A cold run and a warm one with the same config and store root."""
    cold, warm = (
        _train(
            _cfg(
                data_root,
                root / name,
                teacher_ckpt,
                root=str(root / 'stores'),
                dtype=dtype)) for name in ('cold', 'warm'))
    return SimpleNamespace(
        dtype=dtype, root=root, cold=cold, warm=warm, data_root=data_root)


@pytest.fixture(scope='module')
def runs32(tiny_data_root, teacher_ckpt, tmp_path_factory):
    return _cold_and_warm('float32', tiny_data_root, teacher_ckpt,
                          tmp_path_factory.mktemp('store_float32'))


@pytest.fixture(scope='module')
def runs16(tiny_data_root, teacher_ckpt, tmp_path_factory):
    return _cold_and_warm('float16', tiny_data_root, teacher_ckpt,
                          tmp_path_factory.mktemp('store_float16'))


@pytest.fixture(params=['float32', 'float16'])
def runs(request):
    return request.getfixturevalue(f'runs{request.param[-2:]}')


def _live(model, dataset, view, indices):
    """The teacher's logits of clips in a view, and the student's."""
    dataset.set_epoch(view)
    data = model.data_preprocessor(
        pseudo_collate([dataset[i] for i in indices]), False)
    assert [(s.metainfo['aug_view'], s.metainfo['sample_idx'])
            for s in data['data_samples']] == [(view, i) for i in indices]
    teacher = model._run_teacher(data['inputs'])[0].float()
    with torch.no_grad():
        student = run_recognizer(model.student.eval(), data['inputs'])[0]
    return teacher, data['inputs'], student


def test_second_run_reads_every_clip_from_the_store(runs):
    cold, warm = runs.cold, runs.warm
    clips = NUM_CLIPS * EPOCHS
    assert cold.probe.teacher_samples == clips
    assert warm.probe.teacher_samples == 0
    for epoch in range(EPOCHS):
        assert (f'epoch {epoch}: 0 clips read from the store, {NUM_CLIPS} '
                'run through the teacher') in cold.log
        assert (f'epoch {epoch}: {NUM_CLIPS} clips read from the store, 0 '
                'run through the teacher') in warm.log
    # One store, named by the fingerprint, filled once.
    assert warm.store.path == cold.store.path
    assert osp.dirname(cold.store.path) == str(runs.root / 'stores')
    assert osp.basename(cold.store.path) == fingerprint_name(
        cold.store.fingerprint)
    assert len(warm.store) == clips and bool(warm.store.filled().all())
    # Each epoch trains on its own view of every clip.
    for rows in (cold.probe.rows, warm.probe.rows):
        assert len(rows) == EPOCHS * NUM_CLIPS // 4
        for epoch in range(EPOCHS):
            seen = sum(rows[epoch * 2:epoch * 2 + 2], [])
            assert sorted(seen) == [(epoch, i) for i in range(NUM_CLIPS)]


def test_stored_logits_are_the_live_teachers(runs):
    model, dataset, store = runs.warm.model, runs.warm.dataset, runs.warm.store
    indices = list(range(NUM_CLIPS))
    views = []
    for view in range(EPOCHS):
        live, inputs, student = _live(model, dataset, view, indices)
        stored, hit = store.lookup(
            torch.full((NUM_CLIPS, ), view), torch.tensor(indices))
        assert hit.all()
        if runs.dtype == 'float32':
            torch.testing.assert_close(stored, live, rtol=1e-5, atol=1e-6)
        else:  # rounded to float16, up to one step of it
            torch.testing.assert_close(
                stored, live.half().float(), rtol=2**-10, atol=1e-6)
        # Per-sample KD from stored and live targets. A target moved by d
        # moves tau**2 * KL by at most 4 * d * max|t - s| (its gradient in
        # t), whatever tau; d is up to a float16 step here.
        kd_loss = model.kd_loss
        kd_stored = kd_loss.per_sample(
            student_logits=student, teacher_logits=stored)
        kd_live = kd_loss.per_sample(
            student_logits=student, teacher_logits=live)
        assert bool((kd_live > 0).all())
        step = live.abs().amax(1) * (2**-10
                                     if runs.dtype == 'float16' else 1e-5)
        bound = 4 * kd_loss.loss_weight * step * (live - student).abs().amax(1)
        assert bool(((kd_stored - kd_live).abs() <= bound + 1e-9).all())
        views.append((inputs, stored))
    # The views differ, and so do their stored logits.
    assert not torch.equal(views[0][0], views[1][0])
    assert not torch.equal(views[0][1], views[1][1])


def test_second_run_trains_as_the_first(runs):
    cold, warm = runs.cold.probe.losses, runs.warm.probe.losses
    assert len(cold) == len(warm) == EPOCHS * NUM_CLIPS // 4
    # Float16 targets move a KD loss of ~1e-3 by a few 1e-7 (measured:
    # < 1e-3 of it); the other rows' targets would move it by ~100%.
    rtol = dict(float32=1e-5, float16=1e-2)[runs.dtype]
    for step, (first, second) in enumerate(zip(cold, warm)):
        assert first['loss_kd'] > 0, step
        assert second['loss_kd'] == pytest.approx(
            first['loss_kd'], rel=rtol), step
        for key in ('loss_ce', 'loss'):
            assert second[key] == pytest.approx(first[key], rel=1e-5), step


def test_damaged_store_stops_the_run_naming_the_clip(runs32, tmp_path):
    damaged = str(tmp_path / 'damaged')
    shutil.copytree(runs32.warm.store.path, damaged)
    values = np.load(osp.join(damaged, 'values.npy'), mmap_mode='r+')
    values[0, 5] += 1
    values.flush()
    del values
    cfg = _cfg(
        runs32.data_root,
        tmp_path / 'work',
        runs32.warm.model.teacher_ckpt,
        path=damaged,
        dtype='float32',
        num_checks=NUM_CLIPS)
    runner = Runner.from_cfg(cfg)
    probe = Probe()
    runner.register_hook(probe)
    with pytest.raises(
            RuntimeError,
            match=r'clip 5 \(view 0\) that differ '
            'from the live teacher by 1'):
        runner.train()
    assert probe.losses == []


def _refusal(cfg, error, message):
    runner = Runner.from_cfg(cfg)
    probe = Probe()
    runner.register_hook(probe)
    with pytest.raises(error, match=message):
        runner.train()
    assert probe.losses == []
    assert unwrap_model(runner).teacher_store is None


def test_random_pipeline_without_replay_is_refused(tiny_data_root,
                                                   teacher_ckpt, tmp_path):
    cfg = _cfg(
        tiny_data_root,
        tmp_path / 'work',
        teacher_ckpt,
        replay=False,
        root=str(tmp_path / 'stores'))
    _refusal(cfg, ValueError, 'two different clips for index 0')
    assert not (tmp_path / 'stores').exists()


@pytest.mark.parametrize('config, options, message', [
    (FKD_CFG, {}, 'FeatureKDLoss reads more of the teacher'),
    (KD_CFG, {
        'model.interrupt_train': True
    }, 'model.interrupt_train changes the training clips'),
])
def test_kd_beyond_logits_is_refused(tiny_data_root, teacher_ckpt, tmp_path,
                                     config, options, message):
    cfg = _cfg(
        tiny_data_root,
        tmp_path / 'work',
        teacher_ckpt,
        config=config,
        root=str(tmp_path / 'stores'))
    cfg.merge_from_dict(options)
    _refusal(cfg, ValueError, message)


def test_store_of_another_teacher_is_refused(runs32, tmp_path):
    other = make_teacher_checkpoint(str(tmp_path / 'other.pth'), seed=1)
    cfg = _cfg(
        runs32.data_root,
        tmp_path / 'work',
        other,
        path=runs32.warm.store.path,
        dtype='float32')
    _refusal(cfg, ValueError, 'was written for another teacher weights;')
    # The store is left as it was.
    again = TeacherOutputStore(
        runs32.warm.store.path,
        runs32.warm.store.fingerprint,
        *runs32.warm.store.shape,
        dtype='float32',
        create=False)
    assert len(again) == NUM_CLIPS * EPOCHS


_TWO_RANKS = '''
import datetime, os, sys
from types import SimpleNamespace
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.config import Config
from mmengine.runner import EpochBasedTrainLoop
from torch import nn
from mmsakd.engine.hooks import TeacherStoreHook
from mmsakd.engine.store_fingerprint import store_fingerprint
from mmsakd.models.losses import KDLoss
from mmsakd.models.utils import TeacherOutputStore


class Pre(nn.Module):
    blending = None

    def forward(self, data, training):
        return dict(inputs=torch.stack(data['inputs']))


class Model(nn.Module):

    def __init__(self):
        super().__init__()
        self.data_preprocessor, self.kd_loss = Pre(), KDLoss()
        self.teacher, self.interrupt_train = nn.Linear(2, 3), None
        self.teacher_store = None

    def _run_teacher(self, inputs):
        return self.teacher(inputs), None


def runner():
    return SimpleNamespace(
        train_loop=EpochBasedTrainLoop.__new__(EpochBasedTrainLoop),
        model=Model(), epoch=0, max_epochs=1, work_dir='.',
        train_dataloader=SimpleNamespace(dataset=[dict(inputs=torch.ones(2))]
                                         * 4),
        cfg=Config(dict(model=dict(teacher=dict(type='T')),
                        train_dataloader=dict(dataset=dict(type='D')))))


def rank(r, root, port):
    dist.init_process_group(
        'gloo', init_method=f'tcp://127.0.0.1:{port}', rank=r, world_size=2,
        timeout=datetime.timedelta(seconds=15))
    torch.manual_seed(0)
    hook = TeacherStoreHook(path=os.path.join(root, 'fresh'))
    hook.before_train(runner())
    if r == 1:
        hook.store.write(torch.tensor([0]), torch.tensor([3]),
                         torch.ones(1, 3))
    dist.barrier()
    sys.stdout.write(f'rank {r} fresh {hook.store.filled(0).tolist()}\\n')
    torch.manual_seed(0)
    hook = TeacherStoreHook(path=os.path.join(root, 'other'))
    try:
        hook.before_train(runner())
        sys.stdout.write(f'rank {r} opened\\n')
    except ValueError as err:
        sys.stdout.write(f'rank {r} refused: {err}\\n')


if __name__ == '__main__':
    root, port = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(0)
    model = runner().model
    fingerprint = store_fingerprint(
        model.teacher, dict(type='T'), model.data_preprocessor,
        dict(type='D'), [], 1)
    fingerprint['teacher weights'] = 'another'
    TeacherOutputStore(os.path.join(root, 'other'), fingerprint, 1, 4, 3)
    mp.start_processes(rank, args=(root, port), nprocs=2,
                       start_method='fork')
'''


def test_two_ranks_share_the_store_and_refuse_it_together(tmp_path):
    script = tmp_path / 'two_ranks.py'
    script.write_text(_TWO_RANKS)
    result = subprocess.run([
        sys.executable, '-W', 'ignore',
        str(script),
        str(tmp_path),
        str(free_port())
    ],
                            capture_output=True,
                            text=True,
                            cwd=REPO_ROOT,
                            timeout=120)
    lines = sorted(line for line in result.stdout.splitlines()
                   if line.startswith('rank '))
    output = result.stdout + result.stderr[-3000:]
    # Rank 0 creates the store, rank 1 opens it; a row written by one is
    # seen by the other.
    assert [line for line in lines if ' fresh ' in line] == [
        f'rank {r} fresh [False, False, False, True]' for r in (0, 1)
    ], output
    # A store of another teacher: both ranks stop with rank 0's reason,
    # not with a collective's timeout.
    stops = [line for line in lines if ' fresh ' not in line]
    assert len(stops) == 2, output
    for r, line in enumerate(stops):
        assert line.startswith(f'rank {r} refused: rank 0 of 2: the '
                               'teacher-output store at'), output
        assert 'was written for another teacher weights;' in line


# ------------------------------------------------- prefill, root, top-k
class StartProbe(Probe):
    """A Probe that also records the stored rows when training starts,
    after TeacherStoreHook.before_train."""

    def before_train(self, runner):
        self.filled_at_start = unwrap_model(runner).teacher_store.filled()


@pytest.fixture(scope='module')
def prefilled(tiny_data_root, teacher_ckpt, tmp_path_factory):
    cfg = _cfg(
        tiny_data_root,
        tmp_path_factory.mktemp('prefill') / 'work',
        teacher_ckpt,
        root='{work_dir}/store',
        dtype='float32',
        prefill=True)
    return _train(cfg, StartProbe())


def test_prefill_fills_every_view_before_training(prefilled):
    probe = prefilled.probe
    assert probe.filled_at_start.shape == (EPOCHS, NUM_CLIPS)
    assert bool(probe.filled_at_start.all())
    assert probe.teacher_samples == 0
    clips = EPOCHS * NUM_CLIPS
    assert f'{clips} of {clips} clip views to compute' in prefilled.log
    for epoch in range(EPOCHS):
        assert (f'epoch {epoch}: {NUM_CLIPS} clips read from the store, 0 '
                'run through the teacher') in prefilled.log


def test_prefilled_logits_are_the_live_teachers(prefilled):
    model, dataset = prefilled.model, prefilled.dataset
    indices = list(range(NUM_CLIPS))
    views = []
    for view in range(EPOCHS):
        live, _, _ = _live(model, dataset, view, indices)
        stored, hit = prefilled.store.lookup(
            torch.full((NUM_CLIPS, ), view), torch.tensor(indices))
        assert hit.all()
        torch.testing.assert_close(stored, live, rtol=1e-5, atol=1e-6)
        views.append(stored)
    assert not torch.equal(views[0], views[1])


def test_prefilled_store_is_the_one_filled_while_training(prefilled, runs32):
    filled = runs32.cold.store
    assert osp.basename(prefilled.store.path) == osp.basename(filled.path)
    views = torch.arange(EPOCHS).repeat_interleave(NUM_CLIPS)
    indices = torch.arange(NUM_CLIPS).repeat(EPOCHS)
    torch.testing.assert_close(
        prefilled.store.lookup(views, indices)[0],
        filled.lookup(views, indices)[0],
        rtol=1e-5,
        atol=1e-6)


def test_work_dir_in_root_is_the_runs_work_dir(prefilled):
    assert osp.isabs(prefilled.work_dir)
    assert osp.dirname(prefilled.store.path) == osp.join(
        prefilled.work_dir, 'store')
    assert osp.isfile(osp.join(prefilled.store.path, 'meta.json'))
    assert not osp.exists('{work_dir}')


def test_prefill_run_trains_as_the_cold_run(prefilled, runs32):
    # Filling before training must leave the run's random numbers (dropout)
    # as they are: the same student as a run that fills while training.
    cold, prefill = runs32.cold.probe.losses, prefilled.probe.losses
    assert len(prefill) == len(cold) == EPOCHS * NUM_CLIPS // 4
    for step, (first, second) in enumerate(zip(cold, prefill)):
        for key in ('loss_kd', 'loss_ce', 'loss'):
            assert second[key] == pytest.approx(first[key], rel=1e-5), step


TOPK = dict(
    topk=2, dtype='float32', num_checks=NUM_CLIPS, atol=1e-4, rtol=1e-4)


@pytest.fixture(scope='module')
def topk_run(tiny_data_root, teacher_ckpt, tmp_path_factory):
    """A run on a top-2 store filled before training, which checks every
    stored clip before each epoch at a tolerance below the spread of the
    tiny teacher's logits (all within about 0.1)."""
    root = tmp_path_factory.mktemp('store_topk')
    run = _train(
        _cfg(
            tiny_data_root,
            root / 'work',
            teacher_ckpt,
            root=str(root / 'stores'),
            prefill=True,
            **TOPK))
    run.data_root = tiny_data_root
    return run


def test_topk_store_is_read_and_checked(topk_run):
    store = topk_run.store
    assert store.topk == 2 and bool(store.filled().all())
    assert topk_run.probe.teacher_samples == 0
    for epoch in range(EPOCHS):
        assert (f'epoch {epoch}: {NUM_CLIPS} clips read from the store, 0 '
                'run through the teacher') in topk_run.log
    indices = list(range(NUM_CLIPS))
    for view in range(EPOCHS):
        live, _, _ = _live(topk_run.model, topk_run.dataset, view, indices)
        stored, hit = store.lookup(
            torch.full((NUM_CLIPS, ), view), torch.tensor(indices))
        assert hit.all()
        top = live.topk(2, dim=1)
        torch.testing.assert_close(
            stored.gather(1, top.indices), top.values, rtol=1e-5, atol=1e-6)
        # The other classes are not the live ones: the run's checks of all
        # clips passed only by comparing the top 2.
        excess = (stored - live).abs() - (
            TOPK['atol'] + TOPK['rtol'] * live.abs())
        assert float(excess.max()) > 0


@pytest.mark.parametrize('array', ['values', 'classes'])
def test_damaged_topk_store_stops_the_run(topk_run, tmp_path, array):
    damaged = str(tmp_path / 'damaged')
    shutil.copytree(topk_run.store.path, damaged)
    data = np.load(osp.join(damaged, f'{array}.npy'), mmap_mode='r+')
    if array == 'values':
        data[0, 5, 0] += 1
    else:  # the top class of clip 5 named as one outside its top 2
        live, _, _ = _live(topk_run.model, topk_run.dataset, 0, [5])
        data[0, 5, 0] = int(live[0].argmin())
    data.flush()
    del data
    cfg = _cfg(
        topk_run.data_root,
        tmp_path / 'work',
        topk_run.model.teacher_ckpt,
        path=damaged,
        **TOPK)
    runner = Runner.from_cfg(cfg)
    probe = Probe()
    runner.register_hook(probe)
    with pytest.raises(RuntimeError, match=r'clip 5 \(view 0\) that differ'):
        runner.train()
    assert probe.losses == []


# ---------------------------------------------------- refusals, views
def test_batch_augments_are_refused(tiny_data_root, teacher_ckpt, tmp_path):
    cfg = _cfg(
        tiny_data_root,
        tmp_path / 'work',
        teacher_ckpt,
        root=str(tmp_path / 'stores'))
    cfg.merge_from_dict({
        'model.student.data_preprocessor.blending':
        dict(type='MixupBlending', num_classes=10, alpha=0.2)
    })
    _refusal(cfg, ValueError,
             r'batch augments \(model.student.data_preprocessor.blending\)')
    assert not (tmp_path / 'stores').exists()


def test_iteration_based_loop_is_refused(tiny_data_root, teacher_ckpt,
                                         tmp_path):
    cfg = _cfg(
        tiny_data_root,
        tmp_path / 'work',
        teacher_ckpt,
        root=str(tmp_path / 'stores'))
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=4)
    _refusal(
        cfg, TypeError, 'TeacherStoreHook needs an epoch-based train loop '
        r'\(EpochBasedTrainLoop or a subclass\), since it keys stored '
        'outputs by epoch; got IterBasedTrainLoop')
    assert not (tmp_path / 'stores').exists()


def test_one_view_is_read_in_the_next_epoch(tiny_data_root, teacher_ckpt,
                                            tmp_path):
    cfg = _cfg(
        tiny_data_root,
        tmp_path / 'work',
        teacher_ckpt,
        root=str(tmp_path / 'stores'),
        dtype='float32')
    cfg.train_dataloader.dataset.num_views = 1
    run = _train(cfg)
    assert run.store.shape[:2] == (1, NUM_CLIPS)
    assert run.store.fingerprint['views'] == '1'
    assert run.probe.teacher_samples == NUM_CLIPS
    assert (f'epoch 0: 0 clips read from the store, {NUM_CLIPS} run through '
            'the teacher') in run.log
    assert (f'epoch 1: {NUM_CLIPS} clips read from the store, 0 run through '
            'the teacher') in run.log
    # Epoch 1 trains on view 0 again.
    second = sorted(sum(run.probe.rows[2:], []))
    assert second == [(0, i) for i in range(NUM_CLIPS)]


def test_ranks_filling_at_different_times_fill_every_view(
        tiny_data_root, teacher_ckpt, tmp_path, monkeypatch):
    # Rank 1 lists the missing clips after rank 0 has written its share
    # (the ranks of a prefill or of tools/precompute_teacher.py read the
    # store's mask at different moments); each clip still has a rank.
    cfg = _cfg(
        tiny_data_root,
        tmp_path / 'work',
        teacher_ckpt,
        root=str(tmp_path / 'stores'),
        dtype='float32')
    runner = Runner.from_cfg(cfg)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    hook = next(h for h in runner.hooks if isinstance(h, TeacherStoreHook))
    hook.before_train(runner)
    module = sys.modules[TeacherStoreHook.__module__]
    written = []
    for rank in (0, 1):
        monkeypatch.setattr(module, 'get_dist_info', lambda r=rank: (r, 2))
        written.append(hook.fill_missing(runner))
    assert written[0] == EPOCHS * NUM_CLIPS // 2
    assert sum(written) == EPOCHS * NUM_CLIPS
    assert bool(hook.store.filled().all())
