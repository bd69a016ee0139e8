import math
from typing import Any, Dict, Iterator, List, Optional, Sequence, Sized

import numpy as np
import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmsakd.registry import DATA_SAMPLERS
from mmsakd.selection.checks import check_bool, check_int
from ..skip_broken_clips import SkipBrokenClips


@DATA_SAMPLERS.register_module()
class SubsetSampler(Sampler):
    """A :class:`mmengine.dataset.DefaultSampler` over a changeable subset.

    It iterates the current subset of dataset indices (all of them until
    :meth:`set_subset` is called), shuffled each epoch from ``(seed,
    epoch)`` and sharded over the ranks of :func:`mmengine.dist.get_dist_info`
    as ``DefaultSampler`` does: rank ``r`` of ``w`` takes positions ``r, r + w,
    r + 2w, ...`` of the epoch's order, so every selected sample is seen in
    every epoch.

    The order is padded by repeating it from its start until its length
    divides by the world size, so every rank has ``ceil(len(subset) /
    world_size)`` indices and up to ``world_size - 1`` samples are seen
    twice (``DefaultSampler`` with ``round_up=True``). ``round_up=False``
    is refused with several ranks: ranks with different numbers of
    iterations would wait forever for each other in DDP's all-reduce and in
    the hooks' per-iteration gathers.

    ``__iter__`` and ``__len__`` read the current state, so a subset set in
    ``before_train_epoch`` applies to the iterator of that same epoch.

    The clips that a :class:`~mmsakd.datasets.SkipBrokenClips` dataset has
    skipped so far are left out of the subset (and of the whole dataset);
    every rank knows the same ones at the start of an epoch
    (:class:`~mmsakd.engine.hooks.BrokenClipsHook`).

    Args:
        dataset (Sized): The dataset.
        shuffle (bool): Whether to shuffle the subset each epoch.
            Defaults to True.
        seed (int, optional): Shuffle seed, identical on all ranks; when None
            it is drawn by :func:`mmengine.dist.sync_random_seed`.
            Defaults to None.
        round_up (bool): Whether to pad so that the index count divides by
            the world size; only True with several ranks (a single rank
            needs no padding). Defaults to True.
    """

    def __init__(self,
                 dataset: Sized,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        check_bool('shuffle', shuffle)
        check_bool('round_up', round_up)
        if seed is not None:
            check_int('seed', seed, 0)
        rank, world_size = get_dist_info()
        if not round_up and world_size > 1:
            raise ValueError(
                'SubsetSampler(round_up=False) with world_size='
                f'{world_size} > 1 gives the ranks different numbers of '
                'iterations, and '
                'distributed training then waits forever at the first '
                'iteration that one rank lacks; set '
                'train_dataloader.sampler.round_up=True (the default), '
                f'which repeats at most {world_size - 1} samples per epoch')
        self.rank = rank
        self.world_size = world_size
        self.dataset = dataset
        self.shuffle = shuffle
        if seed is None:
            seed = sync_random_seed()
        self.seed = int(seed)
        self.epoch = 0
        self.round_up = round_up
        # None means the whole dataset, so that it follows len(dataset).
        self._subset: Optional[List[int]] = None

    @property
    def subset(self) -> List[int]:
        """list[int]: The dataset indices iterated, in stored order, less
        the skipped clips."""
        indices = range(len(self.dataset)) if self._subset is None \
            else self._subset
        skipped = self._skipped()
        if skipped:
            return [i for i in indices if i not in skipped]
        return list(indices)

    def _skipped(self) -> Dict[int, str]:
        if isinstance(self.dataset, SkipBrokenClips):
            return self.dataset.skipped
        return dict()

    def set_subset(self, indices: Optional[Sequence[int]]) -> None:
        """Replace the subset iterated from now on.

        Args:
            indices (Sequence[int] | Tensor | np.ndarray, optional): Distinct
                dataset indices in ``[0, len(dataset))``, at least one; None
                selects the whole dataset.
        """
        if indices is None:
            self._subset = None
            return
        self._subset = self._check_indices(indices)

    def _check_indices(self, indices: Any) -> List[int]:
        if isinstance(indices, torch.Tensor):
            indices = indices.detach().cpu().reshape(-1).tolist()
        elif isinstance(indices, np.ndarray):
            indices = indices.reshape(-1).tolist()
        values = [int(i) for i in indices]
        size = len(self.dataset)
        if not values:
            raise ValueError('indices must not be empty')
        if min(values) < 0 or max(values) >= size:
            raise ValueError(f'indices must be in [0, len(dataset)={size}), '
                             f'got min {min(values)} and max {max(values)}')
        if len(set(values)) != len(values):
            raise ValueError('indices must be distinct')
        return values

    def _num_selected(self) -> int:
        if self._skipped():
            return len(self.subset)
        if self._subset is None:
            return len(self.dataset)
        return len(self._subset)

    def epoch_order(self) -> List[int]:
        """The current epoch's indices on every rank, in order, unpadded:
        this rank iterates positions ``rank, rank + world_size, ...`` of
        them (padded).

        Returns:
            list[int]: The subset, shuffled from ``(seed, epoch)``.
        """
        subset = self.subset
        if not self.shuffle:
            return subset
        generator = torch.Generator()
        generator.manual_seed(self.seed + self.epoch)
        order = torch.randperm(len(subset), generator=generator).tolist()
        return [subset[i] for i in order]

    def __iter__(self) -> Iterator[int]:
        """Iterate the indices of this rank for the current epoch."""
        indices = self.epoch_order()
        if indices:
            total = math.ceil(len(indices) / self.world_size) * self.world_size
            indices = (indices * math.ceil(total / len(indices)))[:total]
        return iter(indices[self.rank::self.world_size])

    def __len__(self) -> int:
        """The number of indices this rank yields in an epoch."""
        return math.ceil(self._num_selected() / self.world_size)

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch, which reseeds the shuffle.

        Args:
            epoch (int): Epoch number.
        """
        self.epoch = epoch
