"""Replayable augmentation: the random pipeline of a training clip as a
pure function of (augmentation seed, view, dataset index)
(docs/method.md#replayable-augmentation)."""
import random
from typing import Any, Optional, Tuple, Union

import numpy as np
import torch
from mmaction.structures import ActionDataSample
from mmengine.dataset import BaseDataset

from mmsakd.registry import DATASETS
from mmsakd.selection.checks import check_int
from mmsakd.selection.interruption import STREAMS
from .wrapper import EpochDatasetWrapper


def replay_seeds(seed: int, view: int,
                 idx: int) -> Tuple[int, np.ndarray, int]:
    """The seeds of Python's, numpy's and torch's global generators for
    sample ``idx`` in view ``view``.

    ``(seed, view, idx)`` is hashed with :class:`numpy.random.SeedSequence`
    behind the ``'replay'`` tag of :data:`mmsakd.selection.STREAMS`, as
    :func:`~mmsakd.selection.make_generator` does for the other consumers,
    so neighbouring samples and views get unrelated seeds, unrelated to the
    other streams too, and the same ones in every process.

    Args:
        seed (int): The augmentation seed, >= 0.
        view (int): The view, >= 0.
        idx (int): The dataset index, >= 0.

    Returns:
        tuple[int, np.ndarray, int]: The seed of :mod:`random` (64 bits),
        of ``numpy.random`` (four uint32 words) and of torch's default CPU
        generator (63 bits).
    """
    for name, value in dict(seed=seed, view=view, idx=idx).items():
        check_int(name, value, 0)
    entropy = [STREAMS.index('replay'), int(seed), int(view), int(idx)]
    words = np.random.SeedSequence(entropy).generate_state(8, np.uint32)
    python_seed = int(words[0]) | int(words[1]) << 32
    torch_seed = (int(words[2]) | int(words[3]) << 32) & (2**63 - 1)
    return python_seed, words[4:], torch_seed


@DATASETS.register_module()
class ReplayAugmentation(EpochDatasetWrapper):
    """A dataset wrapper that makes the random pipeline of every training
    clip replayable: the crop, flip and other random choices of clip
    ``idx`` are a pure function of (``seed``, view, ``idx``), whatever the
    process, worker, rank, shuffle order or resume point.

    Before loading a clip, :meth:`__getitem__` seeds Python's
    :mod:`random`, ``numpy.random`` (global) and torch's default CPU
    generator from :func:`replay_seeds`, and restores their previous states
    afterwards, so that a loader in the main process (``num_workers=0``)
    leaves the training run's random numbers as they would be without the
    wrapper. Transforms that draw from their own generators are unaffected.

    The view is the epoch, or ``epoch % num_views`` with ``num_views``: a
    run then cycles through that many stored views of each clip, which
    bounds what a store of the teacher's outputs per (view, clip) holds.
    The epoch is shared with the dataloader workers, persistent ones
    included (:class:`~mmsakd.datasets.wrapper.EpochDatasetWrapper`);
    :class:`~mmsakd.engine.hooks.ReplayAugmentationHook` sets it before
    each training epoch.

    A loaded dict whose ``data_samples`` is an ``ActionDataSample`` gets
    ``sample_idx=idx`` and ``aug_view=view`` in its metainfo, whatever the
    ``meta_keys`` of ``PackActionInputs``. Other results (such as the
    markers of :class:`~mmsakd.datasets.SkipBrokenClips`) are returned as
    they are.

    A wrapped dataset in test mode (``test_mode=True`` on the innermost
    dataset, as SAKD's scoring pass builds the training set with the
    validation pipeline) is loaded as it is, without an epoch: its pipeline
    is deterministic.

    Put it inside :class:`~mmsakd.datasets.SkipBrokenClips` when both are
    used (:class:`~mmsakd.engine.hooks.BrokenClipsHook` expects that one
    outermost), and around MMEngine's ``RepeatDataset`` and
    ``ClassBalancedDataset``, whose repeats of a clip would otherwise share
    the epoch's view.

    Args:
        dataset (dict | Dataset): The dataset, or its config.
        seed (int): The augmentation seed, >= 0; a setting of its own, so
            that runs with other seeds (initialisation, sampling) can see
            the same views. Defaults to 0.
        num_views (int, optional): The number of views a run cycles
            through, >= 1; None for a new view every epoch.
            Defaults to None.
        lazy_init (bool): Leave the wrapped dataset's annotation loading to
            :meth:`full_init`. Defaults to False.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 seed: int = 0,
                 num_views: Optional[int] = None,
                 lazy_init: bool = False) -> None:
        super().__init__(dataset, lazy_init)
        check_int('seed', seed, 0)
        if num_views is not None:
            check_int('num_views', num_views, 1)
        self.seed = seed
        self.num_views = num_views
        self._init_unless_lazy()

    def __getitem__(self, idx: int) -> Any:
        if self.in_test_mode():
            return self.dataset[idx]
        epoch, idx = self.epoch_and_index(idx, 'ReplayAugmentationHook')
        view = self.view_of(epoch)
        python_seed, numpy_seed, torch_seed = replay_seeds(
            self.seed, view, idx)
        states = (random.getstate(), np.random.get_state(),
                  torch.get_rng_state())
        try:
            random.seed(python_seed)
            np.random.seed(numpy_seed)
            torch.default_generator.manual_seed(torch_seed)
            results = self.dataset[idx]
        finally:
            random.setstate(states[0])
            np.random.set_state(states[1])
            torch.set_rng_state(states[2])
        if isinstance(results, dict) and isinstance(
                results.get('data_samples'), ActionDataSample):
            results['data_samples'].set_metainfo(
                dict(sample_idx=idx, aug_view=view))
        return results

    def view_of(self, epoch: int) -> int:
        """The view of an epoch.

        Args:
            epoch (int): The 0-based epoch, >= 0.

        Returns:
            int: ``epoch``, or ``epoch % num_views`` when ``num_views`` is
            set.
        """
        check_int('epoch', epoch, 0)
        return epoch if self.num_views is None else epoch % self.num_views

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(dataset='
                f'{type(self.dataset).__name__}, seed={self.seed}, '
                f'num_views={self.num_views}, epoch={self.epoch})')
