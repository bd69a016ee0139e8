import json
import math
import os.path as osp
import threading

import numpy as np
import pytest
import torch
from helpers import (REPO_ROOT, TinyDistillData, fake_subset_runner,
                     tiny_cfg_options)
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.testing import RunnerTestCase
from torch.utils.data import DataLoader, SequentialSampler

import mmsakd.engine.hooks.utils as hook_utils
from mmsakd.engine.hooks import InfoBatchHook

INFOBATCH_CFG = 'configs/synthetic/infobatch_kd_slowfast_tiny_synthetic.py'
N = 20


class _Distiller:
    """What the hook needs of the distiller."""

    def __init__(self):
        self.weight = 'never set'
        self.last_sample_losses = None

    def set_sample_weight(self, weight):
        self.weight = weight


def _runner(work_dir, num_samples=N, max_epochs=8, schedulers=None):
    return fake_subset_runner(
        work_dir,
        num_samples,
        max_epochs,
        seed=11,
        schedulers=schedulers,
        model=_Distiller(),
        message_hub=MessageHub.get_instance('infobatch_hook_test'))


def _canned_scores():
    """Scores of N samples, the last 4 unseen (their stored 0 is below the
    mean, so pruning them would show)."""
    scores = torch.tensor([
        2.5, 0.3, 1.7, 0.9, 3.1, 0.2, 1.1, 0.6, 2.2, 0.4, 1.9, 0.8, 0.1, 2.8,
        0.5, 1.4, 0., 0., 0., 0.
    ])
    seen = torch.ones(N, dtype=torch.bool)
    seen[16:] = False
    return scores, seen


def _set_state(hook, scores, seen):
    hook.scores, hook.seen = scores.clone(), seen.clone()


def _expected(scores, seen, prune_ratio, seed, epoch):
    """InfoBatch's pruning by hand: docs/method.md#infobatch."""
    values = scores.numpy().astype(np.float64)
    mean = values[seen.numpy()].mean()
    well = [i for i in range(len(values)) if seen[i] and values[i] < mean]
    num_kept = int((1 - prune_ratio) * len(well))
    kept = np.random.default_rng([seed, epoch]).choice(
        np.array(well), num_kept, replace=False)
    subset = sorted(set(range(len(values))) - set(well) | set(kept.tolist()))
    weights = torch.ones(len(values))
    weights[kept.tolist()] = 1 / (1 - prune_ratio)
    return well, sorted(kept.tolist()), subset, weights


@pytest.mark.parametrize('kwargs, message', [
    (dict(prune_ratio=1), r'prune_ratio must be in \[0, 1\)'),
    (dict(prune_ratio=-0.1), r'prune_ratio must be in \[0, 1\)'),
    (dict(prune_ratio=True), r'prune_ratio must be in \[0, 1\)'),
    (dict(delta=0), r'delta must be in \(0, 1\]'),
    (dict(delta=1.5), r'delta must be in \(0, 1\]'),
    (dict(seed=-1), 'seed must be an integer >= 0'),
    (dict(seed=1.5), 'seed must be an integer >= 0'),
    (dict(log_file=None), 'log_file must be a non-empty file name'),
])
def test_bad_arguments_name_key_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        InfoBatchHook(**kwargs)


@pytest.mark.parametrize('prune_ratio', [0.3, 0.5, 0.8])
def test_prunes_random_share_of_seen_below_mean_samples(prune_ratio):
    scores, seen = _canned_scores()
    hook = InfoBatchHook(prune_ratio=prune_ratio, seed=4)
    _set_state(hook, scores, seen)
    subset, weights, info = hook.plan(3, 8)
    well, kept, expected_subset, expected_weights = _expected(
        scores, seen, prune_ratio, 4, 3)
    # Mean of the 16 seen scores: 1.28125; 9 of them lie below.
    assert well == [1, 3, 5, 6, 7, 9, 11, 12, 14]
    assert len(kept) == int((1 - prune_ratio) * 9) < 9
    assert subset == expected_subset
    torch.testing.assert_close(weights, expected_weights, rtol=0, atol=0)
    pruned = sorted(set(range(N)) - set(subset))
    assert set(pruned) <= set(well)  # only seen, below-mean samples
    assert len(pruned) == 9 - len(kept)
    assert set(range(16, N)) <= set(subset)  # unseen: never pruned
    torch.testing.assert_close(
        weights[kept], torch.full((len(kept), ), 1 / (1 - prune_ratio)))
    others = [i for i in range(N) if i not in kept]
    assert torch.equal(weights[others], torch.ones(len(others)))
    assert info == dict(
        phase='prune',
        kept=len(subset),
        pruned=len(pruned),
        mean_score=pytest.approx(1.28125),
        skipped=0,
        pruned_indices=pruned)


def test_skipped_clips_leave_the_subset_not_the_draw():
    """Unreadable clips are never trained, so never seen: they leave the
    subset of every phase, and the draw among the seen is unchanged."""
    scores, seen = _canned_scores()
    hook = InfoBatchHook(prune_ratio=0.5, seed=4)
    _set_state(hook, scores, seen)
    skipped = torch.zeros(N, dtype=torch.bool)
    skipped[[16, 18]] = True
    subset, weights, info = hook.plan(3, 8, skipped)
    expected_subset, expected_weights, expected_info = hook.plan(3, 8)
    assert subset == [i for i in expected_subset if i not in (16, 18)]
    torch.testing.assert_close(weights, expected_weights, rtol=0, atol=0)
    assert info == dict(expected_info, kept=len(subset), skipped=2)
    # Nothing to prune, and annealing: every readable clip.
    for epoch in (0, 7):
        _set_state(hook, scores, seen if epoch else ~seen | ~seen)
        subset, weights, info = hook.plan(epoch, 8, skipped)
        assert subset == [i for i in range(N) if i not in (16, 18)]
        assert weights is None and info['kept'] == N - 2


def test_kept_count_is_exact_for_float_ratios():
    # (1 - 0.8) * 10 is 1.9999999999999996 in floating point: 2 are kept.
    scores = torch.tensor([0.1] * 10 + [5.] * 10)
    hook = InfoBatchHook(prune_ratio=0.8, seed=0)
    _set_state(hook, scores, torch.ones(N, dtype=torch.bool))
    subset, weights, info = hook.plan(1, 8)
    assert info['pruned'] == 8 and len(subset) == 12
    assert int((weights > 1).sum()) == 2


def test_nothing_to_prune_gives_full_data_and_no_weights():
    scores, seen = _canned_scores()
    hook = InfoBatchHook(prune_ratio=0.5, seed=0)
    # Nothing seen yet (epoch 0 of a run): every sample, weight 1.
    _set_state(hook, scores, torch.zeros(N, dtype=torch.bool))
    assert hook.plan(0, 8) == (None, None,
                               dict(
                                   phase='prune',
                                   kept=N,
                                   pruned=0,
                                   mean_score=None,
                                   skipped=0,
                                   pruned_indices=[]))
    # All seen scores equal: none below the mean.
    _set_state(hook, torch.ones(N), seen)
    subset, weights, info = hook.plan(1, 8)
    assert subset is None and weights is None and info['pruned'] == 0
    # prune_ratio=0 keeps every well-learned sample.
    hook = InfoBatchHook(prune_ratio=0., seed=0)
    _set_state(hook, scores, seen)
    assert hook.plan(1, 8)[:2] == (None, None)


#: (max_epochs, delta, ceil(delta * max_epochs) by hand); 0.14 * 50 and
#: 0.07 * 100 are 7.000000000000001 in floating point, but 7 epochs prune.
ANNEALING = [(8, 0.875, 7), (10, 0.875, 9), (4, 0.5, 2), (3, 1.0, 3),
             (7, 0.3, 3), (50, 0.14, 7), (100, 0.07, 7)]


@pytest.mark.parametrize('max_epochs, delta, first_anneal', ANNEALING)
def test_annealing_starts_at_ceil_delta_times_max_epochs(
        max_epochs, delta, first_anneal):
    scores, seen = _canned_scores()
    hook = InfoBatchHook(prune_ratio=0.5, delta=delta, seed=1)
    _set_state(hook, scores, seen)
    phases = []
    for epoch in range(max_epochs):
        subset, weights, info = hook.plan(epoch, max_epochs)
        phases.append(info['phase'])
        if info['phase'] == 'anneal':
            assert subset is None and weights is None
            assert info['kept'] == N and info['pruned'] == 0
        else:
            assert info['pruned'] == 9 - int(0.5 * 9)
    assert phases == ['prune'] * first_anneal + ['anneal'] * (
        max_epochs - first_anneal)
    # The boundary: delta * max_epochs = 7 is already an annealing epoch.
    if (max_epochs, delta) == (8, 0.875):
        assert phases[6:] == ['prune', 'anneal']


def test_draw_is_a_function_of_seed_and_epoch():
    scores, seen = _canned_scores()
    draws = {}
    for seed in (0, 1):
        for epoch in range(5):
            hook = InfoBatchHook(seed=seed)
            _set_state(hook, scores, seen)
            draws[seed, epoch] = hook.plan(epoch, 8)[0]
            assert hook.plan(epoch, 8)[0] == draws[seed, epoch]
    assert len({tuple(d) for d in draws.values()}) > 2
    assert any(draws[0, e] != draws[1, e] for e in range(5))


def test_after_train_iter_keeps_the_latest_loss(tmp_path):
    runner = _runner(tmp_path)
    hook = InfoBatchHook()
    hook.before_run(runner)
    hook.before_train(runner)
    assert hook.seed == 11  # randomness.seed of the config
    model = runner.model
    model.last_sample_losses = dict(
        sample_idx=torch.tensor([3, 5, 3]), loss=torch.tensor([1., 2., 4.]))
    hook.after_train_iter(runner, 0)
    model.last_sample_losses = dict(
        sample_idx=torch.tensor([5, 7]), loss=torch.tensor([0.5, 3.]))
    hook.after_train_iter(runner, 1)
    expected = torch.zeros(N)
    expected[[3, 5, 7]] = torch.tensor([4., 0.5, 3.])
    assert torch.equal(hook.scores, expected)
    assert hook.seen.nonzero().flatten().tolist() == [3, 5, 7]

    model.last_sample_losses = None
    with pytest.raises(ValueError, match="add 'sample_idx' to the meta_keys"):
        hook.after_train_iter(runner, 2)


def test_scores_gathered_from_all_ranks_are_identical(monkeypatch):
    """Two ranks as two threads: all_gather exchanges through a barrier."""
    barrier = threading.Barrier(2)
    slots = [None, None]
    local = threading.local()

    def all_gather(data):
        slots[local.rank] = data.clone()
        barrier.wait()
        gathered = [slot.clone() for slot in slots]
        barrier.wait()
        return gathered

    monkeypatch.setattr(hook_utils, 'all_gather', all_gather)
    monkeypatch.setattr(hook_utils, 'get_dist_info', lambda: (0, 2))
    # Batches of unequal size; index 3 on both ranks: rank 1's value wins.
    batches = [(torch.tensor([1, 3, 2]), torch.tensor([0.5, 1.5, 2.5])),
               (torch.tensor([3, 4]), torch.tensor([9., 0.25]))]
    hooks = [InfoBatchHook(), InfoBatchHook()]
    errors = []

    def run(rank):
        try:
            local.rank = rank
            hooks[rank].scores = torch.zeros(6)
            hooks[rank].seen = torch.zeros(6, dtype=torch.bool)
            hooks[rank].update_scores(*batches[rank])
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(r, )) for r in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    expected = torch.tensor([0., 0.5, 2.5, 9., 0.25, 0.])
    for hook in hooks:
        assert torch.equal(hook.scores, expected)
        assert hook.seen.tolist() == [False] + [True] * 4 + [False]


def test_before_train_epoch_hands_over_and_logs(tmp_path):
    runner = _runner(tmp_path, max_epochs=4)
    hook = InfoBatchHook(prune_ratio=0.5, delta=0.5)
    hook.before_run(runner)
    hook.before_train(runner)
    sampler, model = runner.train_dataloader.sampler, runner.model
    # Epoch 0: nothing seen, every sample.
    hook.before_train_epoch(runner)
    assert sampler.subset == list(range(N)) and model.weight is None
    assert runner.train_loop._max_iters == 4 * math.ceil(N / 4)

    scores, seen = _canned_scores()
    _set_state(hook, scores, seen)
    runner.epoch, runner.iter = 1, 5
    hook.before_train_epoch(runner)
    _, kept, subset, weights = _expected(scores, seen, 0.5, 11, 1)
    assert sampler.subset == subset == hook.subset
    assert torch.equal(model.weight, weights)
    assert len(runner.train_dataloader) == math.ceil(len(subset) / 4)
    assert runner.train_loop._max_iters == 5 + 3 * math.ceil(len(subset) / 4)

    runner.epoch = 2  # annealing: delta * max_epochs = 2
    hook.before_train_epoch(runner)
    assert sampler.subset == list(range(N)) and model.weight is None

    with open(osp.join(str(tmp_path), 'infobatch_epochs.jsonl')) as f:
        records = [json.loads(line) for line in f]
    assert [(r['epoch'], r['phase'], r['kept'], r['pruned'], r['weight'])
            for r in records] == [(0, 'prune', N, 0, 1.),
                                  (1, 'prune', len(subset), N - len(subset),
                                   2.), (2, 'anneal', N, 0, 1.)]
    assert records[0]['mean_score'] is None
    assert records[1]['mean_score'] == pytest.approx(1.28125)
    assert records[1]['pruned_indices'] == sorted(set(range(N)) - set(subset))
    assert all(r['num_samples'] == N for r in records)


def test_before_train_checks(tmp_path):
    runner = _runner(tmp_path)
    runner.train_dataloader = DataLoader(
        list(range(N)), sampler=SequentialSampler(range(N)))
    with pytest.raises(TypeError, match="sampler=dict.type='SubsetSampler'"):
        InfoBatchHook().before_train(runner)

    runner = _runner(tmp_path)
    runner.model = torch.nn.Linear(2, 2)
    with pytest.raises(TypeError, match='set_sample_weight'):
        InfoBatchHook().before_train(runner)

    hook = InfoBatchHook()
    hook.scores, hook.seen = torch.zeros(5), torch.zeros(5, dtype=torch.bool)
    message = 'state for 5 samples but the training set has 20'
    with pytest.raises(ValueError, match=message):
        hook.before_train(_runner(tmp_path))


def test_refuses_iteration_based_scheduler(tmp_path):
    scheduler = dict(
        type='LinearLR', by_epoch=True, convert_to_iter_based=True)
    runner = _runner(tmp_path, schedulers=[scheduler])
    with pytest.raises(
            ValueError,
            match=r'param_scheduler\[0\] \(LinearLR\) has '
            'convert_to_iter_based=True.*InfoBatchHook'):
        InfoBatchHook().before_run(runner)


def test_checkpoint_round_trip(tmp_path):
    runner = _runner(tmp_path)
    hook = InfoBatchHook(seed=3)
    hook.before_train(runner)
    scores, seen = _canned_scores()
    _set_state(hook, scores, seen)
    runner.epoch = 1
    hook.before_train_epoch(runner)
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)

    fresh = InfoBatchHook()
    fresh.after_load_checkpoint(runner, checkpoint)  # load_from: ignored
    assert fresh.scores is None and fresh.seed is None
    runner._resume = True
    fresh.after_load_checkpoint(runner, checkpoint)
    assert torch.equal(fresh.scores, scores)
    assert torch.equal(fresh.seen, seen)
    assert fresh.subset == hook.subset and fresh.seed == 3
    assert torch.equal(fresh.weights, hook.weights)
    # A resumed run hands the restored subset and weights over at once.
    resumed = _runner(tmp_path)
    fresh.before_train(resumed)
    assert resumed.train_dataloader.sampler.subset == hook.subset
    assert torch.equal(resumed.model.weight, hook.weights)


def _tiny_cfg(data_root, work_dir, teacher_ckpt, max_epochs=3, **hook_kwargs):
    cfg = Config.fromfile(osp.join(REPO_ROOT, INFOBATCH_CFG))
    cfg.merge_from_dict(tiny_cfg_options(data_root, max_epochs=max_epochs))
    cfg.merge_from_dict({
        'work_dir': work_dir,
        'model.teacher_ckpt': teacher_ckpt,
        'randomness.seed': 3,
        'train_cfg.val_begin': max_epochs + 1,  # no validation
    })
    cfg.merge_from_dict({
        f'default_hooks.infobatch.{k}': v
        for k, v in hook_kwargs.items()
    })
    return cfg


class TestInfoBatchRunner(TinyDistillData, RunnerTestCase):

    def _records(self, work_dir):
        with open(osp.join(work_dir, 'infobatch_epochs.jsonl')) as f:
            return [json.loads(line) for line in f]

    def test_cfg_option_by_name_reaches_the_hook(self):
        cfg = _tiny_cfg(
            self.data_root,
            self.temp_dir.name,
            self.teacher_ckpt,
            prune_ratio=0.3)
        assert Config.fromfile(osp.join(
            REPO_ROOT, INFOBATCH_CFG)).default_hooks.infobatch.delta == 0.875
        runner = self.build_runner(cfg)
        hooks = [h for h in runner.hooks if isinstance(h, InfoBatchHook)]
        assert [(h.prune_ratio, h.delta) for h in hooks] == [(0.3, 0.875)]
        names = [type(h).__name__ for h in runner.hooks]
        assert names.index('InfoBatchHook') < names.index('IterTimerHook')

    def test_resume_equals_uninterrupted(self):
        import stop_hook  # noqa: F401, registers StopAfterEpochHook
        kwargs = dict(prune_ratio=0.5, delta=1.0)
        straight = osp.join(self.temp_dir.name, 'straight')
        runner = self.build_runner(
            _tiny_cfg(self.data_root, straight, self.teacher_ckpt, **kwargs))
        runner.train()
        expected_student = runner.model.student.state_dict()

        interrupted = osp.join(self.temp_dir.name, 'interrupted')
        cfg = _tiny_cfg(self.data_root, interrupted, self.teacher_ckpt,
                        **kwargs)
        cfg.custom_hooks = [dict(type='StopAfterEpochHook', stop_epoch=2)]
        self.build_runner(cfg).train()
        assert osp.isfile(osp.join(interrupted, 'epoch_2.pth'))
        assert not osp.exists(osp.join(interrupted, 'epoch_3.pth'))
        cfg = _tiny_cfg(self.data_root, interrupted, self.teacher_ckpt,
                        **kwargs)
        cfg.resume = True
        runner = self.build_runner(cfg)
        runner.train()

        expected, resumed = self._records(straight), self._records(interrupted)
        assert [r['epoch'] for r in resumed] == [0, 1, 2]
        assert resumed == expected
        # Pruning did happen in the epochs compared, the last one after
        # the resume included.
        for record in expected[1:]:
            assert record['phase'] == 'prune' and record['pruned'] > 0
            assert record['weight'] == 2.
        assert expected[0]['kept'] == expected[0]['num_samples'] == 24
        for key, value in expected_student.items():
            assert torch.equal(runner.model.student.state_dict()[key],
                               value), key
        ckpt_a = torch.load(
            osp.join(straight, 'epoch_3.pth'), weights_only=False)
        ckpt_b = torch.load(
            osp.join(interrupted, 'epoch_3.pth'), weights_only=False)
        for key in ('scores', 'seen', 'weights'):
            assert torch.equal(ckpt_a['infobatch'][key],
                               ckpt_b['infobatch'][key]), key
        assert ckpt_a['infobatch']['subset'] == ckpt_b['infobatch']['subset']
        assert ckpt_a['infobatch']['seen'].all()
