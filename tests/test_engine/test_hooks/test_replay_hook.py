"""ReplayAugmentationHook: finding the wrappers, setting the epoch before
training and each epoch, refusing loops without epochs, warning when there
is nothing to set; the shared finder of dataset parts."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop
from torch.utils.data import ConcatDataset

from mmsakd.datasets import ReplayAugmentation, SkipBrokenClips
from mmsakd.datasets.transforms import DropoutShuffle
from mmsakd.engine.hooks import ReplayAugmentationHook, find_in_dataset


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
