"""DropoutShuffleHook: finding the transforms, and the rates that persistent
dataloader workers apply in a tiny SAKD run with DropoutShuffle."""
import os.path as osp
import uuid
from collections import defaultdict
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from helpers import (REPO_ROOT, make_teacher_checkpoint, tiny_cfg_options,
                     unformatted)
from mmcv.transforms import RandomChoice
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.hooks import Hook
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmsakd.datasets.transforms import DropoutShuffle
from mmsakd.engine.hooks import DropoutShuffleHook
from mmsakd.engine.hooks.dropout_shuffle_hook import find_dropout_shuffles
from mmsakd.selection import interruption_rate, num_interrupted

CFG = 'configs/synthetic/sakd_dropout_shuffle_slowfast_tiny_synthetic.py'
FILL = np.array([124, 116, 104], np.uint8)  # the default fill, as uint8


class Pipelined(torch.utils.data.Dataset):

    def __init__(self, transforms):
        self.pipeline = Compose(transforms)

    def __len__(self):
        return 1

    def __getitem__(self, i):
        return i


def test_finds_transforms_through_wrappers_once():
    init_default_scope('mmsakd')
    a, b, c = DropoutShuffle(), DropoutShuffle(rate=0.2), DropoutShuffle()
    nested = RandomChoice(
        transforms=[[c], [dict(type='FormatShape', input_format='NCTHW')]])
    first = Pipelined([a, b])
    dataset = torch.utils.data.ConcatDataset(
        [first, first, Pipelined([nested])])
    wrapped = SimpleNamespace(dataset=torch.utils.data.Subset(dataset, [0]))
    found = find_dropout_shuffles(wrapped)
    assert len(found) == 3
    assert all(x is y for x, y in zip(found, (a, b, c)))
    assert find_dropout_shuffles(Pipelined([])) == []


def test_sets_epoch_and_missing_max_epochs():
    scheduled, fixed_e, fixed_rate = (DropoutShuffle(),
                                      DropoutShuffle(max_epochs=8),
                                      DropoutShuffle(rate=0.3))
    runner = SimpleNamespace(
        train_dataloader=SimpleNamespace(
            dataset=Pipelined([scheduled, fixed_e, fixed_rate])),
        max_epochs=4,
        epoch=0)
    hook = DropoutShuffleHook()
    hook.before_train(runner)
    assert scheduled.max_epochs == 4  # from the runner
    assert fixed_e.max_epochs == 8  # its own
    assert fixed_rate.max_epochs is None  # not needed
    runner.epoch = 3
    hook.before_train_epoch(runner)
    assert [t.epoch for t in (scheduled, fixed_e, fixed_rate)] == [3, 3, 3]
    assert scheduled.current_rate() == interruption_rate(3, 4)
    assert fixed_e.current_rate() == interruption_rate(3, 8)
    assert fixed_rate.current_rate() == 0.3


class RateProbe(Hook):
    """The rate in each training sample's metainfo and the number of
    frames filled with the default fill colour, by epoch."""

    def __init__(self):
        self.rates = defaultdict(list)
        self.filled = defaultdict(list)

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None):
        for inputs, sample in zip(data_batch['inputs'],
                                  data_batch['data_samples']):
            self.rates[runner.epoch].append(sample.interruption_rate)
            frames = inputs.numpy()  # (1, C, T, H, W) uint8
            self.filled[runner.epoch].append(
                int((frames[0] == FILL.reshape(3, 1, 1,
                                               1)).all(axis=(0, 2, 3)).sum()))


def test_persistent_workers_apply_each_epochs_rate(tiny_data_root, tmp_path):
    max_epochs = 3
    cfg = unformatted(Config.fromfile(osp.join(REPO_ROOT, CFG)))
    cfg.merge_from_dict(tiny_cfg_options(tiny_data_root, max_epochs))
    cfg.merge_from_dict({
        'train_dataloader.num_workers': 2,
        'train_dataloader.persistent_workers': True,
        'default_hooks.sakd.ratio': 0.25,
        'default_hooks.sakd.score_batch_size': 8,
        'default_hooks.sakd.score_num_workers': 0,
    })
    cfg.model.teacher_ckpt = make_teacher_checkpoint(
        str(tmp_path / 'teacher.pth'))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = f'dropout_shuffle_{uuid.uuid4().hex}'
    runner = Runner.from_cfg(cfg)
    probe = RateProbe()
    runner.register_hook(probe)
    runner.train()

    # 6 selected clips in batches of 4: one batch from each worker.
    assert sorted(probe.rates) == list(range(max_epochs))
    theta = 0.9  # DropoutShuffle's default, as in the config
    for epoch in range(max_epochs):
        rate = interruption_rate(epoch, max_epochs, theta)
        assert probe.rates[epoch] == [pytest.approx(rate, abs=0)] * 6
    # Epoch 1 (rate < eta) drops round(rate * 16) frames of each clip;
    # epoch 2 (rate >= eta) shuffles and epoch 0 leaves the clips alone.
    dropped = num_interrupted(interruption_rate(1, max_epochs), 16)
    assert dropped == 5
    assert probe.filled[1] == [dropped] * 6
    assert probe.filled[0] == probe.filled[2] == [0] * 6
