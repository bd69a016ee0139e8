import json
import math
import os.path as osp

import pytest
import torch
from helpers import (REPO_ROOT, TinyDistillData, fake_subset_runner,
                     tiny_cfg_options)
from mmengine.config import Config
from mmengine.testing import RunnerTestCase
from torch.utils.data import DataLoader, SequentialSampler

from mmsakd.engine.hooks import RandomSubsetHook
from mmsakd.selection import RoundSettings, selection_round

RANDOM_CFG = 'configs/synthetic/random_subset_kd_slowfast_tiny_synthetic.py'
RANDOM_I5_CFG = (
    'configs/synthetic/random_subset_kd_i5_slowfast_tiny_synthetic.py')


def _runner(work_dir, num_samples=40, max_epochs=6, schedulers=None):
    return fake_subset_runner(
        work_dir, num_samples, max_epochs, seed=9, schedulers=schedulers)


@pytest.mark.parametrize('kwargs, message', [
    (dict(ratio=0), r'ratio must be in \(0, 1\]'),
    (dict(ratio=1.5), r'ratio must be in \(0, 1\]'),
    (dict(interval=0), 'interval must be an integer >= 1'),
    (dict(interval=2.5), 'interval must be an integer >= 1'),
    (dict(seed=-1), 'seed must be an integer >= 0'),
    (dict(log_file=''), 'log_file must be a non-empty file name'),
    (dict(replacement=1), 'replacement must be'),
])
def test_bad_arguments_name_key_and_range(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        RandomSubsetHook(**kwargs)


@pytest.mark.parametrize('interval', [1, 2])
def test_without_replacement_every_clip_once_per_cycle(interval):
    # k = 3 of 10 clips: cycles of 4 rounds, the last one topped up.
    hook = RandomSubsetHook(
        ratio=0.3, interval=interval, seed=5, replacement=False)
    cycles = []
    for cycle in range(2):
        rounds = [hook.draw((cycle * 4 + r) * interval, 10) for r in range(4)]
        assert all(len(subset) == 3 for subset in rounds)
        firsts = sum(rounds[:3], [])
        assert len(set(firsts)) == 9
        assert set(firsts + rounds[3]) == set(range(10))
        cycles.append(rounds)
    assert cycles[0] != cycles[1]
    # A draw depends on its round alone (resume), not on earlier draws.
    assert hook.draw(5 * interval, 10) == cycles[1][1]


def test_without_replacement_skips_unreadable_clips():
    hook = RandomSubsetHook(ratio=0.3, seed=0, replacement=False)
    skipped = torch.zeros(10, dtype=torch.bool)
    skipped[[1, 4]] = True
    drawn = sum((hook.draw(epoch, 10, skipped) for epoch in range(3)), [])
    assert set(drawn) == set(range(10)) - {1, 4}


# k = ceil(ratio * N) by hand: 0.07 * 100 is 7.000000000000001 in floating
# point, and 7 are drawn.
@pytest.mark.parametrize('ratio, num_samples, k', [(0.1, 24, 3),
                                                   (0.1, 9537, 954),
                                                   (0.25, 24, 6), (0.3, 7, 3),
                                                   (1.0, 13, 13),
                                                   (0.07, 101, 8),
                                                   (0.07, 100, 7)])
def test_subset_size_is_sakds_k(ratio, num_samples, k):
    hook = RandomSubsetHook(ratio=ratio, seed=0)
    subset = hook.draw(0, num_samples)
    assert len(subset) == k
    # The same k as a SAKD round with the same ratio.
    if num_samples <= 101:
        gen = torch.Generator().manual_seed(0)
        sakd = selection_round(
            torch.rand(num_samples, generator=gen),
            torch.randn(num_samples, 4, generator=gen),
            torch.zeros(num_samples, dtype=torch.long),
            torch.zeros(num_samples),
            None,
            0,
            0.5,
            0,
            settings=RoundSettings(ratio=ratio, partition='random'))
        assert len(sakd['subset']) == len(subset)
    assert len(set(subset)) == len(subset)
    assert subset == sorted(subset)
    assert 0 <= subset[0] and subset[-1] < num_samples


def test_skipped_clips_are_never_drawn():
    hook = RandomSubsetHook(ratio=0.2, seed=0)
    skipped = torch.zeros(50, dtype=torch.bool)
    skipped[::3] = True
    subset = hook.draw(1, 50, skipped)
    assert len(subset) == 10 and len(set(subset)) == 10
    assert not skipped[subset].any()
    # Nothing skipped: the draw without a mask.
    assert hook.draw(1, 50, torch.zeros(50, dtype=torch.bool)) == \
        hook.draw(1, 50)
    # More of them than readable clips: every readable clip.
    skipped[:48] = True
    assert hook.draw(1, 50, skipped) == [49]  # 48 is skipped too


def test_draw_is_a_function_of_seed_and_epoch():
    draws = {
        (seed, epoch): RandomSubsetHook(ratio=0.2, seed=seed).draw(epoch, 50)
        for seed in (0, 1)
        for epoch in range(4)
    }
    for (seed, epoch), subset in draws.items():
        assert RandomSubsetHook(ratio=0.2, seed=seed).draw(epoch, 50) == subset
    assert len({tuple(s) for s in draws.values()}) == len(draws)


def test_rounds_every_interval_and_subset_kept_between(tmp_path):
    runner = _runner(tmp_path)
    hook = RandomSubsetHook(ratio=0.25, interval=2)
    hook.before_run(runner)
    assert hook.seed == 9  # randomness.seed of the config
    hook.before_train(runner)
    sampler = runner.train_dataloader.sampler
    seen = []
    for epoch in range(5):
        runner.epoch = runner.iter = epoch
        hook.before_train_epoch(runner)
        seen.append(sampler.subset)
        assert sampler.subset == hook.subset
        assert len(runner.train_dataloader) == math.ceil(10 / 4)
        assert runner.train_loop._max_iters == epoch + (6 - epoch) * 3
    assert seen[0] == seen[1] == hook.draw(0, 40)
    assert seen[2] == seen[3] == hook.draw(2, 40)
    assert seen[4] == hook.draw(4, 40)
    assert len({tuple(s) for s in seen}) == 3
    assert hook.rounds == 3
    with open(osp.join(str(tmp_path), 'random_subset_rounds.jsonl')) as f:
        records = [json.loads(line) for line in f]
    assert [(r['epoch'], r['round'], r['subset_size'], r['num_samples'])
            for r in records] == [(0, 1, 10, 40), (2, 2, 10, 40),
                                  (4, 3, 10, 40)]
    assert records[1]['selected'] == seen[2]


def test_checks_and_checkpoint_round_trip(tmp_path):
    runner = _runner(tmp_path)
    runner.train_dataloader = DataLoader(
        list(range(4)), sampler=SequentialSampler(range(4)))
    with pytest.raises(TypeError, match="sampler=dict.type='SubsetSampler'"):
        RandomSubsetHook().before_train(runner)
    runner = _runner(
        tmp_path,
        schedulers=[dict(type='LinearLR', convert_to_iter_based=True)])
    with pytest.raises(
            ValueError, match='convert_to_iter_based=True.*RandomSubsetHook'):
        RandomSubsetHook().before_run(runner)

    runner = _runner(tmp_path)
    hook = RandomSubsetHook(ratio=0.25, interval=5, seed=2)
    hook.before_train(runner)
    hook.before_train_epoch(runner)
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    assert checkpoint['random_subset'] == dict(
        subset=hook.subset, seed=2, rounds=1)
    fresh = RandomSubsetHook(interval=5)
    fresh.after_load_checkpoint(runner, checkpoint)  # load_from: ignored
    assert fresh.subset is None
    resumed = _runner(tmp_path)
    resumed._resume = True
    fresh.after_load_checkpoint(resumed, checkpoint)
    fresh.before_train(resumed)
    # Epoch 1 is no round: the restored subset goes on.
    resumed.epoch = 1
    fresh.before_train_epoch(resumed)
    assert resumed.train_dataloader.sampler.subset == hook.subset
    assert (fresh.seed, fresh.rounds) == (2, 1)
    with pytest.raises(ValueError, match='index .* but the training set'):
        fresh.before_train(_runner(tmp_path, num_samples=5))


def _tiny_cfg(config, data_root, work_dir, teacher_ckpt, max_epochs=3):
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.merge_from_dict(tiny_cfg_options(data_root, max_epochs=max_epochs))
    cfg.merge_from_dict({
        'work_dir': work_dir,
        'model.teacher_ckpt': teacher_ckpt,
        'randomness.seed': 3,
        'train_cfg.val_begin': max_epochs + 1,  # no validation
    })
    return cfg


class TestRandomSubsetRunner(TinyDistillData, RunnerTestCase):

    def _records(self, work_dir):
        with open(osp.join(work_dir, 'random_subset_rounds.jsonl')) as f:
            return [json.loads(line) for line in f]

    def test_i5_config_trains_with_constant_alpha(self):
        cfg = _tiny_cfg(
            RANDOM_I5_CFG,
            self.data_root,
            self.temp_dir.name,
            self.teacher_ckpt,
            max_epochs=6)
        runner = self.build_runner(cfg)
        hooks = [h for h in runner.hooks if isinstance(h, RandomSubsetHook)]
        assert [(h.ratio, h.interval) for h in hooks] == [(0.1, 5)]
        runner.train()
        # ceil(0.1 * 24) = 3 clips, one batch per epoch; rounds at 0 and 5.
        assert runner.train_loop.iter == 6
        records = self._records(self.temp_dir.name)
        assert [(r['epoch'], r['subset_size']) for r in records] == [(0, 3),
                                                                     (5, 3)]
        assert runner.model.sample_alpha is None
        assert runner.model.sample_weight is None
        assert runner.model.alpha == 0.5

    def test_resume_equals_uninterrupted(self):
        import stop_hook  # noqa: F401, registers StopAfterEpochHook
        options = {
            'default_hooks.random_subset.ratio': 0.25,
            'default_hooks.random_subset.interval': 2,
        }
        straight = osp.join(self.temp_dir.name, 'straight')
        cfg = _tiny_cfg(RANDOM_CFG, self.data_root, straight,
                        self.teacher_ckpt)
        cfg.merge_from_dict(options)
        runner = self.build_runner(cfg)
        runner.train()
        expected_student = runner.model.student.state_dict()

        # Stopped after epoch 1: the resumed epoch 1 is no round, so its
        # subset must come from the checkpoint.
        interrupted = osp.join(self.temp_dir.name, 'interrupted')
        cfg = _tiny_cfg(RANDOM_CFG, self.data_root, interrupted,
                        self.teacher_ckpt)
        cfg.merge_from_dict(options)
        cfg.custom_hooks = [dict(type='StopAfterEpochHook', stop_epoch=1)]
        self.build_runner(cfg).train()
        assert not osp.exists(osp.join(interrupted, 'epoch_2.pth'))
        cfg = _tiny_cfg(RANDOM_CFG, self.data_root, interrupted,
                        self.teacher_ckpt)
        cfg.merge_from_dict(options)
        cfg.resume = True
        runner = self.build_runner(cfg)
        runner.train()
        assert runner.train_loop.iter == 3 * math.ceil(6 / 4)

        expected = self._records(straight)
        assert [(r['epoch'], r['subset_size']) for r in expected] == [(0, 6),
                                                                      (2, 6)]
        assert self._records(interrupted) == expected
        for key, value in expected_student.items():
            assert torch.equal(runner.model.student.state_dict()[key],
                               value), key
        for epoch in (2, 3):
            subsets = [
                torch.load(
                    osp.join(work_dir, f'epoch_{epoch}.pth'),
                    weights_only=False)['random_subset']['subset']
                for work_dir in (straight, interrupted)
            ]
            assert subsets[0] == subsets[1]
