"""ReplayAugmentationHook: finding the wrappers, setting the epoch before
training and each epoch, refusing loops without epochs, warning when there
is nothing to set; the shared finder of dataset parts; exact resume of a
random pipeline in a persistent worker."""
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from helpers import (REPO_ROOT, TinyDistillData, release_workers,
                     tiny_cfg_options)
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop
from mmengine.testing import RunnerTestCase
from torch.utils.data import ConcatDataset

from mmsakd.datasets import ReplayAugmentation, SkipBrokenClips
from mmsakd.datasets.transforms import DropoutShuffle
from mmsakd.engine.hooks import ReplayAugmentationHook, find_in_dataset

STORE_CFG = 'configs/teacher_store/kd_store_slowfast_tiny_synthetic.py'
LOADER = 'train_dataloader.dataset.'


class Clips(torch.utils.data.Dataset):

    def __init__(self, pipeline=()):
        self.pipeline = list(pipeline)

    def __len__(self):
        return 2

    def __getitem__(self, idx):
        return dict(idx=idx)


class EpochLoop(EpochBasedTrainLoop):
    """An epoch-based loop of a user, unbuilt: only its type matters."""


def fake_runner(dataset, loop=EpochBasedTrainLoop, epoch=0):
    return SimpleNamespace(
        train_loop=loop.__new__(loop),
        train_dataloader=SimpleNamespace(dataset=dataset),
        epoch=epoch)


def test_finds_parts_through_wrappers_once():
    shuffle = DropoutShuffle()
    inner = ReplayAugmentation(Clips([shuffle]))
    outer = ReplayAugmentation(SkipBrokenClips(inner))
    other = ReplayAugmentation(Clips())
    dataset = ConcatDataset([outer, other, outer])
    assert find_in_dataset(dataset,
                           ReplayAugmentation) == [outer, inner, other]
    assert find_in_dataset(dataset, DropoutShuffle) == [shuffle]
    assert find_in_dataset(dataset,
                           (DropoutShuffle,
                            SkipBrokenClips)) == [outer.dataset, shuffle]
    assert find_in_dataset(Clips(), ReplayAugmentation) == []


def test_sets_the_epoch_before_training_and_each_epoch():
    first, second = ReplayAugmentation(Clips()), ReplayAugmentation(Clips())
    runner = fake_runner(
        SkipBrokenClips(ConcatDataset([first, second])),
        loop=EpochLoop,
        epoch=2)  # resumed
    hook = ReplayAugmentationHook()
    hook.before_train(runner)
    assert (first.epoch, second.epoch) == (2, 2)
    runner.epoch = 3
    hook.before_train_epoch(runner)
    assert (first.epoch, second.epoch) == (3, 3)
    assert first[1] == dict(idx=1)


def test_refuses_an_iteration_based_loop():
    wrapper = ReplayAugmentation(Clips())
    with pytest.raises(TypeError, match='got IterBasedTrainLoop'):
        ReplayAugmentationHook().before_train(
            fake_runner(wrapper, loop=IterBasedTrainLoop))
    assert wrapper.epoch is None


def test_warns_without_a_wrapper(capsys):
    MMLogger.get_instance('mmsakd_replay_hook_test')  # a current logger
    hook = ReplayAugmentationHook()
    hook.before_train(fake_runner(Clips()))
    hook.before_train_epoch(fake_runner(Clips()))
    assert 'found no ReplayAugmentation' in capsys.readouterr().out


class TestReplayResume(TinyDistillData, RunnerTestCase):
    """A resumed run with a random pipeline in a persistent worker trains
    on the views an uninterrupted run trains on."""

    def _cfg(self, work_dir, replay, stop_epoch=None, resume=False):
        cfg = Config.fromfile(osp.join(REPO_ROOT, STORE_CFG))
        options = {
            key.replace(LOADER, LOADER + 'dataset.'): value
            for key, value in tiny_cfg_options(self.data_root,
                                               max_epochs=2).items()
        }
        options.update({
            'work_dir': work_dir,
            'model.teacher_ckpt': self.teacher_ckpt,
            'randomness.seed': 3,
            'train_cfg.val_begin': 3,  # no validation
            'train_dataloader.num_workers': 1,
            'train_dataloader.persistent_workers': True,
        })
        cfg.merge_from_dict(options)
        inner = cfg.train_dataloader.dataset.dataset
        inner.pipeline.insert(3, dict(type='RandomResizedCrop'))
        inner.pipeline.insert(
            4, dict(type='Resize', scale=(32, 32), keep_ratio=False))
        if not replay:
            cfg.train_dataloader.dataset = inner
        cfg.custom_hooks = [dict(type='ReplayAugmentationHook')] * replay
        if stop_epoch is not None:
            cfg.custom_hooks.append(
                dict(type='StopAfterEpochHook', stop_epoch=stop_epoch))
        cfg.resume = resume
        return cfg

    def _weights(self, replay):
        import stop_hook  # noqa: F401, registers StopAfterEpochHook
        root = osp.join(self.temp_dir.name, f'replay{int(replay)}')
        runner = self.build_runner(self._cfg(f'{root}/straight', replay))
        runner.train()
        release_workers(runner)
        straight = runner.model.student.state_dict()
        runner = self.build_runner(self._cfg(f'{root}/cut', replay, 1))
        runner.train()
        release_workers(runner)
        runner = self.build_runner(
            self._cfg(f'{root}/cut', replay, resume=True))
        runner.train()
        release_workers(runner)
        return straight, runner.model.student.state_dict()

    def test_resume_equals_uninterrupted(self):
        straight, resumed = self._weights(replay=True)
        for key, value in straight.items():
            assert torch.equal(resumed[key], value), key
        # Without replay the worker's crops of epoch 1 start over.
        straight, resumed = self._weights(replay=False)
        assert not all(
            torch.equal(resumed[key], value)
            for key, value in straight.items())
