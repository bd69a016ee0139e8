import json
import os.path as osp

import numpy as np
import pytest
import torch
from helpers import REPO_ROOT, fake_subset_runner
from mmengine.config import Config
from torch.utils.data import DataLoader

from mmsakd.datasets.samplers import SubsetSampler
from mmsakd.engine.hooks import GroupSubsetHook
from mmsakd.selection import expected_random_coverage


class _Listed(list):
    """Sample indices read from an annotation list, as a VideoDataset."""

    def __init__(self, ann_file, count):
        super().__init__(range(count))
        self.ann_file = ann_file


def _runner(tmp_path, num_groups=8, clips=5, lines=None):
    ann = tmp_path / 'train.txt'
    lines = lines or [
        f'train/train_g{g:04d}_c{c:02d}.mp4 {g % 3}' for g in range(num_groups)
        for c in range(clips)
    ]
    ann.write_text('\n'.join(lines) + '\n')
    runner = fake_subset_runner(tmp_path, len(lines), 4, seed=3)
    dataset = _Listed(str(ann), num_groups * clips)
    runner.train_dataloader = DataLoader(
        dataset, batch_size=4, sampler=SubsetSampler(dataset, shuffle=False))
    return runner


def test_bad_pattern_names_the_argument():
    with pytest.raises(ValueError, match='group_pattern must be a non-empty'):
        GroupSubsetHook(group_pattern='')


@pytest.mark.parametrize('ratio, covered', [(0.1, 4), (0.25, 8), (0.5, 8)])
def test_rounds_cover_as_many_groups_as_they_can(tmp_path, ratio, covered):
    runner = _runner(tmp_path)  # 8 groups of 5 clips
    hook = GroupSubsetHook(ratio=ratio)
    hook.before_run(runner)
    hook.before_train(runner)
    subsets = []
    for epoch in range(3):
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        subsets.append(hook.subset)
        assert runner.train_dataloader.sampler.subset == hook.subset
        assert len(set(np.asarray(hook.subset) // 5)) == covered
    assert len({tuple(s) for s in subsets}) == 3
    with open(osp.join(str(tmp_path), 'group_subset_rounds.jsonl')) as f:
        records = [json.loads(line) for line in f]
    k = len(subsets[0])
    groups = np.repeat(np.arange(8), 5)
    assert [(r['subset_size'], r['groups_covered'], r['num_groups'])
            for r in records] == [(k, covered, 8)] * 3
    assert records[0]['random_groups_covered'] == round(
        expected_random_coverage(groups, k), 2)
    assert records[2]['selected'] == subsets[2]
    # A draw is a function of (seed, epoch): what a resumed run redraws.
    assert hook.draw(2, 40) == subsets[2]


def test_skipped_clips_are_never_drawn(tmp_path):
    hook = GroupSubsetHook(ratio=0.2, seed=0)
    hook.before_train(_runner(tmp_path))
    skipped = torch.zeros(40, dtype=torch.bool)
    skipped[::2] = True
    subset = hook.draw(0, 40, skipped)
    assert len(subset) == 8 and not skipped[subset].any()
    assert len(set(np.asarray(subset) // 5)) == 8


def test_groups_are_paths_up_to_the_number(tmp_path):
    # Group 0 of class A and group 0 of class B are two groups, as in
    # UCF101, whose groups are numbered per class.
    lines = [f'v_A_g00_c0{c}.avi 0'
             for c in range(2)] + [f'v_B_g00_c0{c}.avi 1' for c in range(2)]
    hook = GroupSubsetHook(ratio=0.5)
    hook.before_train(_runner(tmp_path, num_groups=2, clips=2, lines=lines))
    assert hook.groups.tolist() == [0, 0, 1, 1]


def test_errors_name_the_culprit(tmp_path):
    runner = _runner(
        tmp_path, lines=['a_g01_c01.mp4 0', 'b.mp4 0'], num_groups=1, clips=2)
    with pytest.raises(ValueError, match=r"train.txt:2: no group in 'b.mp4'"):
        GroupSubsetHook().before_train(runner)
    runner = _runner(tmp_path, num_groups=2, clips=2)
    runner.train_dataloader = DataLoader(
        _Listed(str(tmp_path / 'train.txt'), 3), batch_size=4)
    with pytest.raises(
            ValueError, match='lists 4 clips but the training '
            'set has 3'):
        GroupSubsetHook().before_train(runner)
    runner.train_dataloader = DataLoader(list(range(4)), batch_size=4)
    with pytest.raises(ValueError, match='list has no ann_file'):
        GroupSubsetHook().before_train(runner)


def test_tiny_config_swaps_the_random_subset_hook():
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'synthetic',
                 'group_subset_kd_slowfast_tiny_synthetic.py'))
    assert cfg.default_hooks.random_subset == dict(
        type='GroupSubsetHook', ratio=0.1, interval=1)
    assert cfg.train_dataloader.sampler.type == 'SubsetSampler'
