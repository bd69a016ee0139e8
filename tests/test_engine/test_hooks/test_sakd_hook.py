import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from helpers import (REPO_ROOT, TINY_DATA, TinyDistillData, as_cli_options,
                     free_port, make_teacher_checkpoint, tiny_cfg_options,
                     train_in_process, unformatted)
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.testing import RunnerTestCase

from mmsakd.engine import rank_batches
from mmsakd.engine.hooks import SAKDHook
from mmsakd.selection import (easiness, fuse_features, interrupt_batch,
                              interruption_rate, make_generator,
                              normalize_easiness, project_features,
                              select_samples, selection_probability,
                              update_strength)
from mmsakd.visualization import load_rounds

SAKD_CFG = 'configs/synthetic/sakd_slowfast_tiny_synthetic.py'


@pytest.mark.parametrize('kwargs, message', [
    (dict(ratio=0), r'ratio must be in \(0, 1\]'),
    (dict(ratio=1.5), r'ratio must be in \(0, 1\]'),
    (dict(eta=0), r'eta must be in \(0, 1\]'),
    (dict(lam=1), r'lam must be in \[0, 1\)'),
    (dict(gamma=-0.1), r'gamma must be in \[0, 1\]'),
    (dict(interval=0), 'interval must be a positive integer'),
    (dict(interval=2.5), 'interval must be a positive integer'),
    (dict(norm='mean'), 'norm must be'),
    (dict(selector='kmeans'), 'selector must be'),
    (dict(score_batch_size=0), 'scorer: batch_size must be'),
    (dict(scope='frame'), "scope must be 'batch' or 'clip'"),
    (dict(patch_size=0), 'patch_size must be an integer >= 1'),
    (dict(score_num_workers=-1), 'num_workers must be an integer'),
    (dict(seed=-1), 'seed must be an integer >= 0'),
    (dict(d_max=0), 'd_max must be an integer >= 1'),
    (dict(partition='kmeans'), "partition must be 'class' or 'random'"),
    (dict(warmup_epochs=-1), 'warmup_epochs must be an integer >= 0'),
    (dict(anneal_epochs=1.5), 'anneal_epochs must be an integer >= 0'),
    (dict(alpha_min=1.2), r'alpha_min must be in \[0, 1\]'),
    (dict(pool_factor=0), 'pool_factor must be a number > 0 or None'),
    (dict(pool_random=-0.1), r'pool_random must be in \[0, 1\]'),
    (dict(criterion='hardest'), 'criterion must be one of'),
    (dict(diversity='mmr'), "diversity must be 'dpp' or 'none'"),
    (dict(log_file=''), 'log_file must be a non-empty file name'),
    (dict(ratio_end=0), r'ratio_end must be in \(0, 1\]'),
    (dict(ratio_shape='step'), 'ratio_shape must be'),
])
def test_bad_arguments_name_key_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SAKDHook(**kwargs)


@pytest.mark.parametrize('kwargs, message', [
    (dict(reuse_train_losses=1), 'reuse_train_losses must be a bool'),
    (dict(score_pipeline=dict(type='DecordInit')),
     'scorer: pipeline must be a list of transform configs or None'),
])
def test_bad_argument_types_name_the_key(kwargs, message):
    with pytest.raises(TypeError, match=message):
        SAKDHook(**kwargs)


@pytest.mark.parametrize('num_samples, batch_size, world_size', [(24, 8, 1),
                                                                 (24, 8, 2),
                                                                 (25, 4, 3),
                                                                 (5, 8, 2)])
def test_rank_batches_cover_every_sample_once(num_samples, batch_size,
                                              world_size):
    shards = [
        rank_batches(num_samples, batch_size, rank, world_size)
        for rank in range(world_size)
    ]
    flat = sorted(i for shard in shards for i in shard)
    assert flat == list(range(num_samples))
    # Whole global batches: each rank's batches start at multiples of B.
    for rank, shard in enumerate(shards):
        starts = shard[::batch_size]
        assert all(s % batch_size == 0 for s in starts)
        assert all((s // batch_size) % world_size == rank for s in starts)


def test_defaults_are_the_papers():
    """Every option beyond the paper is off by default
    (docs/method.md#beyond-the-paper), and the distiller keeps no cache."""
    import inspect

    from mmsakd.models import SAKDDistiller
    hook = SAKDHook()
    schedule = hook.schedule
    off = (schedule.warmup_epochs, schedule.anneal_epochs, hook.alpha_min,
           schedule.ratio_end)
    assert off == (0, 0, 0., None)
    assert type(hook.round.candidates).__name__ == 'AllSamples'
    settings = hook.round.selector.round_settings()
    assert (settings.criterion, settings.diversity) == ('easiness', 'dpp')
    papers = (settings.gamma, hook.round.lam, hook.round.scorer.eta)
    assert papers == (0.5, 0.5, 0.5)
    assert (schedule.ratio, schedule.interval, hook.alpha_init) == (0.1, 1, 0.)
    signature = inspect.signature(SAKDDistiller)
    assert signature.parameters['teacher_cache'].default is None


def _tiny_sakd_cfg(data_root,
                   work_dir,
                   teacher_ckpt,
                   max_epochs=4,
                   **hook_kwargs):
    cfg = unformatted(Config.fromfile(osp.join(REPO_ROOT, SAKD_CFG)))
    cfg.merge_from_dict(tiny_cfg_options(data_root, max_epochs=max_epochs))
    cfg.work_dir = work_dir
    cfg.model.teacher_ckpt = teacher_ckpt
    hook = cfg.default_hooks.sakd
    hook.update(score_batch_size=8, ratio=0.25, seed=5)
    hook.update(hook_kwargs)
    return cfg


class TestSAKDHookRound(TinyDistillData, RunnerTestCase):

    def _runner(self, **hook_kwargs):
        cfg = _tiny_sakd_cfg(self.data_root, self.temp_dir.name,
                             self.teacher_ckpt, **hook_kwargs)
        runner = self.build_runner(cfg)
        hook = next(h for h in runner.hooks if isinstance(h, SAKDHook))
        return runner, hook

    def _expected_scores(self, runner, hook, epoch):
        """Scores recomputed with the pure functions, batch by batch."""
        model = runner.model
        hook.round.scorer.attach_train_set(runner)
        dataset = hook.round.scorer.loader().dataset
        rate = interruption_rate(epoch, runner.max_epochs,
                                 hook.round.scorer.theta)
        losses, feats = [], []
        for b in range(math.ceil(len(dataset) / 8)):
            batch = [
                dataset[i] for i in range(b * 8, min(b * 8 + 8, len(dataset)))
            ]
            from mmengine.dataset import pseudo_collate
            data = model.data_preprocessor(
                pseudo_collate(batch), training=False)
            # 3D inputs: (N, V, C, T, H, W), the frames on axis 3.
            inputs = interrupt_batch(
                data['inputs'],
                rate,
                eta=hook.round.scorer.eta,
                scope=hook.round.scorer.scope,
                layout='NVCTHW',
                generator=make_generator(5, epoch, b, stream='scoring'))
            scores = model.score(inputs, data['data_samples'])
            losses.append(scores['kd_loss'])
            feats.append(scores['teacher_feat'])
        return rate, torch.cat(losses), torch.cat(feats)

    def test_rounds_equal_recomputation(self):
        runner, hook = self._runner()
        hook.before_run(runner)
        hook.before_train(runner)
        labels = torch.tensor(
            [label for _, label in _annotations(self.data_root)])
        omega = torch.zeros(TINY_DATA.num_train, dtype=torch.long)
        alpha = torch.zeros(TINY_DATA.num_train)
        feat = None
        # Epoch 1 interrupts by dropout, epoch 3 by shuffling; epoch 3 is
        # the second round, so counts, strengths and features carry over.
        for rounds, epoch in enumerate((1, 3)):
            runner.train_loop._epoch = epoch
            hook.before_train_epoch(runner)
            rate, losses, current = self._expected_scores(runner, hook, epoch)
            assert (rate < hook.round.scorer.eta) == (epoch == 1)
            s_hat = normalize_easiness(
                easiness(losses, selection_probability(omega, rounds)))
            alpha = update_strength(alpha, s_hat, rate, hook.round.lam)
            feat = fuse_features(
                feat,
                project_features(current, hook.round.scorer.d_max, 5),
                hook.round.lam,
                first_round=rounds == 0)
            subset = select_samples(
                feat,
                s_hat,
                6,
                gamma=hook.round.selector.fields['gamma'],
                labels=labels,
                seed=5 + epoch)
            omega[subset] += 1

            assert hook.rounds == rounds + 1
            assert hook.subset == subset.tolist()
            torch.testing.assert_close(hook.alpha, alpha)
            torch.testing.assert_close(hook.feat, feat)
            assert torch.equal(hook.omega, omega)
            sampler = runner.train_dataloader.sampler
            assert sorted(sampler.subset) == sorted(subset.tolist())
            torch.testing.assert_close(runner.model.sample_alpha, alpha)
            assert len(runner.train_dataloader) == math.ceil(6 / 4)
        assert alpha.max() > 0  # the strengths did move
        with open(osp.join(self.temp_dir.name, 'sakd_rounds.jsonl')) as f:
            records = [json.loads(line) for line in f]
        assert [r['epoch'] for r in records] == [1, 3]
        assert records[1]['selected'] == hook.subset
        assert records[1]['subset_size'] == 6

    def test_scoring_is_not_timed_as_data_loading(self):
        # IterTimerHook starts the first iteration's data timer in its
        # before_train_epoch; the scoring pass must run before that.
        runner, _ = self._runner()
        names = [type(h).__name__ for h in runner.hooks]
        assert names.index('SAKDHook') < names.index('IterTimerHook')

    def test_needs_subset_sampler(self):
        cfg = _tiny_sakd_cfg(self.data_root, self.temp_dir.name,
                             self.teacher_ckpt)
        cfg.train_dataloader.sampler = dict(
            type='DefaultSampler', shuffle=True)
        runner = self.build_runner(cfg)
        with pytest.raises(TypeError, match='SubsetSampler'):
            runner.train()

    def test_iteration_based_scheduler_follows_the_planned_steps(self):
        cfg = _tiny_sakd_cfg(
            self.data_root,
            self.temp_dir.name,
            self.teacher_ckpt,
            max_epochs=4,
            warmup_epochs=1,
            anneal_epochs=1)
        cfg.param_scheduler = [
            dict(
                type='CosineAnnealingLR',
                T_max=4,
                eta_min=1e-5,
                by_epoch=True,
                begin=0,
                end=4,
                convert_to_iter_based=True)
        ]
        runner = self.build_runner(cfg)
        lrs = []

        class LrSpy(Hook):
            priority = 'HIGHEST'  # before the scheduler steps

            def before_train_iter(self, runner, batch_idx, data_batch=None):
                lrs.append(runner.optim_wrapper.get_lr()['lr'][0])

        runner.register_hook(LrSpy())
        runner.train()
        # 24 clips, batch 4: 6 iterations in the full epochs, ceil(6 / 4) =
        # 2 on the subset of 6.
        total = 6 + 2 + 2 + 6
        assert len(lrs) == total == runner.iter
        lr0 = cfg.optim_wrapper.optimizer.lr
        expected = [
            1e-5 + (lr0 - 1e-5) * (1 + math.cos(math.pi * t / total)) / 2
            for t in range(total)
        ]
        assert lrs == pytest.approx(expected, rel=1e-6)
        # MMEngine's own conversion would have used 6 iterations per epoch.
        assert runner.train_loop.max_iters == total


class _Spy(Hook):
    """Records the training length of every epoch and the distiller's
    per-sample losses of every iteration."""
    priority = 'LOWEST'

    def __init__(self):
        self.lengths, self.records = [], []

    def before_train_epoch(self, runner):
        self.lengths.append(len(runner.train_dataloader))

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None):
        record = runner.model.last_sample_losses
        self.records.append(
            (runner.epoch, record['sample_idx'].clone(), record['kd'].clone()))


class TestSAKDHookBeyondPaper(TinyDistillData, RunnerTestCase):

    def _train(self, max_epochs, **hook_kwargs):
        cfg = _tiny_sakd_cfg(
            self.data_root,
            self.temp_dir.name,
            self.teacher_ckpt,
            max_epochs=max_epochs,
            **hook_kwargs)
        runner = self.build_runner(cfg)
        spy = _Spy()
        runner.register_hook(spy)
        runner.train()
        hook = next(h for h in runner.hooks if isinstance(h, SAKDHook))
        with open(osp.join(self.temp_dir.name, 'sakd_rounds.jsonl')) as f:
            records = [json.loads(line) for line in f]
        return runner, hook, spy, records

    def test_warmup_anneal_and_alpha_floor(self):
        runner, hook, spy, records = self._train(
            5, warmup_epochs=1, anneal_epochs=2, alpha_min=0.3)
        # Rounds only between warm-up and annealing.
        assert [r['epoch'] for r in records] == [1, 2]
        full, subset = math.ceil(24 / 4), math.ceil(6 / 4)
        assert spy.lengths == [full, subset, subset, full, full]
        assert runner.train_dataloader.sampler.subset == list(range(24))
        # The distiller trains with Eq. 6's strengths floored at 0.3.
        torch.testing.assert_close(runner.model.sample_alpha,
                                   hook.alpha.clamp(min=0.3))
        assert float(hook.alpha.min()) < 0.3

    def test_ratio_schedule_sets_each_rounds_subset(self):
        # Rounds at epochs 1-3 go linearly from 0.5 to 0.25 of 24 clips.
        runner, hook, spy, records = self._train(
            5,
            ratio=0.5,
            ratio_end=0.25,
            warmup_epochs=1,
            anneal_epochs=1,
            pool_factor=0.5,
            reuse_train_losses=True)
        assert [r['ratio'] for r in records] == [0.5, 0.375, 0.25]
        assert [len(r['selected']) for r in records] == [12, 9, 6]
        # Batch 4: the epochs take 6, 3, 3, 2 and 6 iterations.
        assert spy.lengths == hook._plan == [6, 3, 3, 2, 6]
        assert runner.iter == sum(spy.lengths)

    def test_ratio_schedule_holds_between_rounds(self):
        """With a round every 2 epochs the ratio changes per round, not per
        epoch; without ``ratio_end`` it is ``ratio`` throughout."""
        hook = SAKDHook(
            ratio=0.6,
            ratio_end=0.2,
            ratio_shape='cosine',
            interval=2,
            warmup_epochs=1)
        # 7 epochs: rounds at epochs 1, 3, 5 (t = 0, 0.5, 1).
        ratios = [hook.schedule.round_ratio(epoch, 7) for epoch in range(1, 7)]
        assert ratios == pytest.approx([0.6, 0.6, 0.4, 0.4, 0.2, 0.2])
        assert SAKDHook(ratio=0.3).schedule.round_ratio(4, 7) == 0.3

    def test_warmup_and_anneal_leave_a_round(self):
        cfg = _tiny_sakd_cfg(
            self.data_root,
            self.temp_dir.name,
            self.teacher_ckpt,
            max_epochs=3,
            warmup_epochs=2,
            anneal_epochs=1)
        runner = self.build_runner(cfg)
        with pytest.raises(ValueError, match='must be below the 3 training'):
            runner.train()

    def test_pool_and_reused_training_losses(self):
        runner, hook, spy, records = self._train(
            3, pool_factor=0.5, reuse_train_losses=True)
        # k = 6 of 24. Round 0 must score k clips; later rounds reuse the
        # 6 trained ones and score ceil(0.5 * 6) = 3 more.
        assert [r['scored'] for r in records] == [6, 3, 3]
        assert [r['reused'] for r in records] == [0, 6, 6]
        assert all(r['subset_size'] == 6 for r in records)
        # Scored: 6 + 3 + 3 distinct least-recently-scored or random clips.
        state = hook.state
        assert int((state.last_scored >= 0).sum()) >= 9
        assert int(state.has_feat.sum()) == int((state.last_scored >= 0).sum())
        # The stored losses are the training forward's own, the last one of
        # each clip, for the clips of the last epoch only.
        last = {}
        for epoch, idx, kd in spy.records:
            if epoch == 2:
                last.update(zip(idx.tolist(), kd.tolist()))
        assert sorted(last) == sorted(records[-1]['selected'])
        assert state.trained_since_round.nonzero().flatten().tolist(
        ) == sorted(last)
        for index, value in last.items():
            assert float(state.train_loss[index]) == pytest.approx(value)

    def test_new_state_survives_a_checkpoint(self):
        runner, hook, _, _ = self._train(
            2, pool_factor=0.5, reuse_train_losses=True, warmup_epochs=1)
        checkpoint = dict()
        hook.before_save_checkpoint(runner, checkpoint)
        # The checkpoint keys of earlier releases.
        assert set(checkpoint['sakd']) == {
            'omega', 'alpha', 'feat', 'subset', 'rounds', 'seed',
            'last_scored', 'known', 'train_loss', 'trained'
        }
        fresh = SAKDHook(
            candidates=dict(
                type='CandidatePool', pool_factor=0.5,
                reuse_train_losses=True))
        runner._resume = True
        fresh.after_load_checkpoint(runner, checkpoint)
        for name in ('omega', 'alpha', 'feat', 'last_scored', 'has_feat',
                     'train_loss', 'trained_since_round'):
            assert torch.equal(
                getattr(fresh.state, name), getattr(hook.state, name))
        assert fresh.subset == hook.subset and fresh.rounds == 1


def _annotations(root):
    from mmsakd.datasets.synthetic import read_annotations
    return read_annotations(osp.join(root, 'train.txt'))


def _sakd_options(data_root, teacher_ckpt, max_epochs):
    options = tiny_cfg_options(data_root, max_epochs=max_epochs)
    options.update({
        'model.teacher_ckpt': teacher_ckpt,
        'default_hooks.sakd.score_batch_size': 8,
        'default_hooks.sakd.ratio': 0.25,
        # No validation: the runs compare what training leaves.
        'train_cfg.val_begin': max_epochs + 1,
    })
    return options


def _run(cmd, env=None, returncode=0):
    env = dict(env or os.environ)
    # Makes tests/stop_hook.py importable by the training processes.
    env['PYTHONPATH'] = osp.join(REPO_ROOT, 'tests') + os.pathsep + env.get(
        'PYTHONPATH', '')
    result = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=900,
        env=env)
    log = result.stdout + result.stderr
    assert result.returncode == returncode, log[-4000:]
    return log


def _train(work_dir, options, *extra, config=SAKD_CFG, returncode=0):
    return _run([
        sys.executable, '-W', 'ignore',
        osp.join(REPO_ROOT, 'tools/train.py'), config, '--work-dir',
        str(work_dir), '--seed', '3', *extra, *as_cli_options(options)
    ],
                returncode=returncode)


def _train_here(work_dir, options, config=SAKD_CFG):
    """:func:`_train` in this process, for a run that a test compares with
    or resumes in a process of its own."""
    train_in_process(config, work_dir, options, '--seed', '3')


def _rounds(work_dir):
    """The last record of each round (a resumed run logs a round it re-runs
    again)."""
    return load_rounds(str(work_dir))


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    return make_teacher_checkpoint(
        str(tmp_path_factory.mktemp('teacher') / 'teacher.pth'))


def _killed_cfg(tmp_path, name, **kill):
    """The SAKD config with :class:`KillHook` (tests/stop_hook.py)."""
    path = tmp_path / f'{name}.py'
    path.write_text(f"_base_ = ['{osp.join(REPO_ROOT, SAKD_CFG)}']\n"
                    "custom_imports = dict(imports=['mmsakd', 'stop_hook'])\n"
                    f"custom_hooks = [dict(type='KillHook', **{kill!r})]\n")
    return str(path)


KILL_EPOCHS = 4


@pytest.fixture(scope='module')
def straight(tiny_data_root, teacher_ckpt, tmp_path_factory):
    """The uninterrupted run that both kill-and-resume tests compare with
    (read only)."""
    work_dir = tmp_path_factory.mktemp('straight')
    _train_here(work_dir,
                _sakd_options(tiny_data_root, teacher_ckpt, KILL_EPOCHS))
    return work_dir


# Run on one pytest-xdist worker: the tests share the uninterrupted run.
@pytest.mark.xdist_group('sakd_kill_and_resume')
@pytest.mark.parametrize('during', ['train', 'scoring'])
def test_kill_and_resume_equals_uninterrupted(during, tiny_data_root,
                                              teacher_ckpt, straight,
                                              tmp_path):
    """SIGKILL in the middle of epoch 3's training, or of the scoring pass
    that starts it, then ``--resume``: the same subsets every round, the
    same SAKD state and student as a run never stopped, and nothing
    written before the kill corrupted."""
    epochs = KILL_EPOCHS
    options = _sakd_options(tiny_data_root, teacher_ckpt, max_epochs=epochs)

    killed = tmp_path / 'killed'
    marker = tmp_path / 'killed.marker'
    config = _killed_cfg(
        tmp_path,
        'kill',
        epoch=2,
        iteration=1,
        marker=str(marker),
        during=during)
    # SIGKILL: the process ends with -9.
    _train(killed, options, config=config, returncode=-9)
    assert marker.exists()
    assert osp.isfile(killed / 'epoch_2.pth')
    assert not osp.exists(killed / 'epoch_3.pth')
    # What was written before the kill reads back.
    assert [r['round'] for r in _rounds(killed)
            ] == ([1, 2, 3] if during == 'train' else [1, 2])
    torch.load(killed / 'epoch_2.pth', weights_only=False)

    _train(killed, options, '--resume', config=config)
    with open(killed / 'sakd_rounds.jsonl') as f:
        logged = [json.loads(line)['round'] for line in f]
    # A round re-run after the resume is logged again; readers keep the
    # last record of each round.
    assert logged == ([1, 2, 3, 3, 4] if during == 'train' else [1, 2, 3, 4])
    _assert_same_runs(straight, killed, epochs)
    # The teacher is not saved in every checkpoint.
    ckpt = torch.load(killed / 'epoch_4.pth', weights_only=False)
    assert not any(k.startswith('teacher.') for k in ckpt['state_dict'])


def _assert_same_runs(a, b, epochs, atol=1e-5):
    """The SAKD state, every round's subset and the final student of two
    runs agree; ``alpha`` and the weights within ``atol``."""
    rounds_a, rounds_b = _rounds(a), _rounds(b)
    assert len(rounds_a) == len(rounds_b) == epochs
    for x, y in zip(rounds_a, rounds_b):
        assert x['selected'] == y['selected'], x['round']
        assert x['alpha_mean'] == pytest.approx(y['alpha_mean'], abs=atol)
    ckpt_a = torch.load(a / f'epoch_{epochs}.pth', weights_only=False)
    ckpt_b = torch.load(b / f'epoch_{epochs}.pth', weights_only=False)
    assert torch.equal(ckpt_a['sakd']['omega'], ckpt_b['sakd']['omega'])
    torch.testing.assert_close(
        ckpt_a['sakd']['alpha'], ckpt_b['sakd']['alpha'], rtol=0, atol=atol)
    for key, value in ckpt_a['state_dict'].items():
        torch.testing.assert_close(
            ckpt_b['state_dict'][key], value, rtol=0, atol=atol, msg=key)


def test_two_processes_and_two_nodes_match_one(tiny_data_root, teacher_ckpt,
                                               tmp_path):
    """2 ranks on one node, and 2 "nodes" of one rank each (the torchrun
    path of a cluster), select what 1 rank selects in every round and end
    with its student. The student's BatchNorm layers are frozen (per-rank
    batch statistics would otherwise differ from the single batch's) and
    its head has no dropout; 6 of 24 clips per round, 2 per rank per step,
    so that no rank pads its share with duplicates."""
    epochs = 3
    options = _sakd_options(tiny_data_root, teacher_ckpt, max_epochs=epochs)
    options.update({
        'model.student.cls_head.dropout_ratio': 0.,
        'model.student.backbone.slow_pathway.norm_eval': True,
        'model.student.backbone.fast_pathway.norm_eval': True,
        'train_dataloader.batch_size': 2,
        # The runs compare the last checkpoint only.
        'default_hooks.checkpoint.interval': epochs,
    })
    single = tmp_path / 'single'
    _train_here(single, {**options, 'train_dataloader.batch_size': 4})
    env = dict(os.environ, PYTHON=sys.executable)
    port = str(free_port())
    log = _run([
        'bash',
        osp.join(REPO_ROOT, 'tools/dist_train.sh'), SAKD_CFG, '2',
        '--work-dir',
        str(tmp_path / 'dist'), '--seed', '3', *as_cli_options(options)
    ],
               env=dict(env, PORT=port))
    assert 'Distributed training: True' in log
    # Both ranks iterate the whole subset: 6 clips, 2 ranks, batch 2.
    assert 'Epoch(train) [1][2/2]' in log
    for record in _rounds(tmp_path / 'dist'):
        assert record['subset_size'] == 6
        assert record['num_samples'] == TINY_DATA.num_train
    # Sums over 2 ranks round differently from one batch's.
    _assert_same_runs(single, tmp_path / 'dist', epochs, atol=1e-4)

    # Two nodes of one process each, started as a cluster would.
    nodes_dir = tmp_path / 'nodes'
    port = str(free_port())
    nodes = [
        subprocess.Popen([
            'bash',
            osp.join(REPO_ROOT, 'tools/dist_train.sh'), SAKD_CFG, '1',
            '--work-dir',
            str(nodes_dir), '--seed', '3', *as_cli_options(options)
        ],
                         cwd=REPO_ROOT,
                         env=dict(
                             env,
                             NNODES='2',
                             NODE_RANK=str(rank),
                             MASTER_ADDR='127.0.0.1',
                             PORT=port),
                         stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT,
                         text=True) for rank in (0, 1)
    ]
    outputs = [node.communicate(timeout=600)[0] for node in nodes]
    for node, output in zip(nodes, outputs):
        assert node.returncode == 0, output[-4000:]
    assert 'Distributed training: True' in outputs[0]
    _assert_same_runs(tmp_path / 'dist', nodes_dir, epochs, atol=1e-4)


def test_preset_resume_equals_uninterrupted(tiny_data_root, teacher_ckpt,
                                            tmp_path):
    """Every state beyond the paper (pool, reused losses, warm-up, annealing,
    the teacher cache) resumes exactly."""
    options = _sakd_options(tiny_data_root, teacher_ckpt, max_epochs=5)
    options.update({
        'default_hooks.sakd.warmup_epochs': 1,
        'default_hooks.sakd.anneal_epochs': 1,
        'default_hooks.sakd.alpha_min': 0.3,
        'default_hooks.sakd.pool_factor': 0.5,
        'default_hooks.sakd.reuse_train_losses': True,
        'default_hooks.sakd.ratio_end': 0.5,
        'model.teacher_cache': True,
    })
    straight = tmp_path / 'straight'
    _train_here(straight, options)
    stop_cfg = tmp_path / 'sakd_stop_after_3.py'
    stop_cfg.write_text(
        f"_base_ = ['{osp.join(REPO_ROOT, SAKD_CFG)}']\n"
        "custom_imports = dict(imports=['mmsakd', 'stop_hook'])\n"
        "custom_hooks = [dict(type='StopAfterEpochHook', stop_epoch=3)]\n")
    interrupted = tmp_path / 'interrupted'
    _train_here(interrupted, options, config=str(stop_cfg))
    assert not osp.exists(interrupted / 'epoch_4.pth')
    _train(interrupted, options, '--resume')

    expected, resumed = _rounds(straight), _rounds(interrupted)
    assert [r['epoch'] for r in expected] == [1, 2, 3]
    assert len(resumed) == 3
    # The ratio schedule 0.25 -> 0.5 continues after the resume.
    for records in (expected, resumed):
        assert [len(r['selected']) for r in records] == [6, 9, 12]
    for a, b in zip(expected, resumed):
        assert a['selected'] == b['selected']
        assert (a['scored'], a['reused']) == (b['scored'], b['reused'])
    ckpt_a = torch.load(straight / 'epoch_5.pth', weights_only=False)
    ckpt_b = torch.load(interrupted / 'epoch_5.pth', weights_only=False)
    for name in ('omega', 'last_scored', 'known', 'trained'):
        assert torch.equal(ckpt_a['sakd'][name], ckpt_b['sakd'][name]), name
    for name in ('alpha', 'train_loss', 'feat'):
        torch.testing.assert_close(
            ckpt_a['sakd'][name], ckpt_b['sakd'][name], rtol=0, atol=1e-6)
    state_a, state_b = ckpt_a['state_dict'], ckpt_b['state_dict']
    assert 'teacher_cache.logits' in state_a
    assert set(state_a) == set(state_b)
    for key, value in state_a.items():
        torch.testing.assert_close(
            state_b[key], value, rtol=0, atol=1e-5, msg=key)


def test_scoring_runs_under_the_training_autocast(monkeypatch):
    from types import SimpleNamespace

    from mmengine.optim import AmpOptimWrapper, OptimWrapper

    from mmsakd.engine.sakd import scorer
    calls = []
    monkeypatch.setattr(scorer, 'score_samples',
                        lambda *args, **kwargs: calls.append(kwargs))

    class Stop(Exception):
        pass

    def run(model, state, epoch, max_epochs, ratio, labels, skipped, autocast):
        hook.round.scorer(model, 0.3, epoch, 0, autocast=autocast)
        raise Stop

    hook = SAKDHook()
    hook.round.scorer.attach(lambda indices: None)
    monkeypatch.setattr(hook.round, 'run', run)
    # --amp: an AmpOptimWrapper (which refuses to be built without an
    # accelerator; its autocast needs only the dtype).
    amp = object.__new__(AmpOptimWrapper)
    amp.cast_dtype = torch.bfloat16
    for wrapper in (amp, OptimWrapper(torch.optim.SGD([torch.zeros(1)],
                                                      lr=1))):
        runner = SimpleNamespace(
            optim_wrapper=wrapper,
            model=torch.nn.Module(),
            epoch=1,
            max_epochs=4,
            train_dataloader=SimpleNamespace(dataset=[]))
        with pytest.raises(Stop):
            hook._run_round(runner)
    with calls[0]['autocast']():
        assert torch.get_autocast_dtype('cpu') == torch.bfloat16
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    assert calls[1]['autocast'] is None
