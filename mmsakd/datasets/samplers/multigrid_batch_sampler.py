import math
from typing import Iterator, List

import torch
from mmengine.dist import get_dist_info
from torch.utils.data import Sampler

from mmsakd.registry import DATA_SAMPLERS
from mmsakd.selection.checks import check_int
from mmsakd.selection.interruption import make_generator
from ..multigrid import find_multigrid
from .subset_sampler import SubsetSampler


@DATA_SAMPLERS.register_module()
class MultigridBatchSampler(Sampler):
    """Batches of one clip shape each, sized by a :class:`MultigridSchedule`
    (docs/method.md#multigrid-kd).

    PyTorch's ``BatchSampler`` cuts the sampler's order into batches of one
    size; multigrid needs a size per epoch and per clip shape, and every
    clip of a batch in one shape, so this one groups the epoch's order by
    shape.

    Each epoch it takes the order of all ranks from the
    :class:`SubsetSampler` (``epoch_order``: the current subset, shuffled
    from ``(seed, epoch)``), splits it by the short-cycle code of each
    index (:meth:`MultigridClips.codes`, keeping the order within a code),
    cuts each code's indices into global batches of ``world_size`` times
    the code's batch size (:meth:`MultigridSchedule.batch_size` of
    ``batch_size``), pads a last short batch to a multiple of the world
    size, and to at least ``min_batch`` clips per rank, by repeating the
    code's first indices, and shuffles the batches
    from ``(seed, epoch)`` when the sampler shuffles. Rank ``r`` takes
    positions ``r, r + world_size, ...`` of each global batch, so every rank
    has the same number of batches, of one shape per step, and one rank with
    a ``world_size`` times larger ``batch_size`` trains on the same global
    batches (exactly so unless a code's last batch was padded).

    Args:
        sampler (SubsetSampler): The training sampler
            (``train_dataloader.sampler``).
        batch_size (int): Clips per rank at the base shape
            (``train_dataloader.batch_size``), >= 1.
        min_batch (int): The fewest clips of a batch on a rank, >= 1: batch
            norm needs two values per channel, which one clip at the
            smallest shape may not give (a feature map of 1x1x1). Defaults
            to 2.
    """

    def __init__(self,
                 sampler: SubsetSampler,
                 batch_size: int,
                 min_batch: int = 2) -> None:
        if not isinstance(sampler, SubsetSampler):
            raise TypeError(
                'MultigridBatchSampler needs train_dataloader.sampler='
                "dict(type='SubsetSampler'), got "
                f'{type(sampler).__name__}')
        check_int('batch_size', batch_size, 1)
        check_int('min_batch', min_batch, 1)
        self.sampler = sampler
        self.batch_size = batch_size
        self.min_batch = min_batch
        self.rank, self.world_size = get_dist_info()
        self.clips = find_multigrid(sampler.dataset)
        if self.clips is None:
            raise ValueError(
                'MultigridBatchSampler needs the training set wrapped in '
                "dict(type='MultigridClips', dataset=...) "
                '(train_dataloader.dataset), whose schedule gives the shapes')

    @property
    def epoch(self) -> int:
        """int: The sampler's epoch."""
        return int(self.sampler.epoch)

    def global_batches(self) -> List[List[int]]:
        """The current epoch's batches over all ranks, in training order."""
        epoch, world = self.epoch, self.world_size
        schedule = self.clips.schedule
        order = self.sampler.epoch_order()
        codes = self.clips.codes(epoch)
        groups: List[List[int]] = [[] for _ in schedule.space_factors(epoch)]
        for idx in order:
            groups[int(codes[idx])].append(idx)
        batches = []
        for code, group in enumerate(groups):
            size = world * schedule.batch_size(epoch, self.batch_size, code)
            for start in range(0, len(group), size):
                batch = group[start:start + size]
                padded = max(
                    len(batch) + -len(batch) % world, self.min_batch * world)
                repeats = math.ceil(padded / len(group))
                batches.append(batch + (group * repeats)[:padded - len(batch)])
        if self.sampler.shuffle and len(batches) > 1:
            generator = make_generator(
                self.sampler.seed, epoch, 1, stream='multigrid')
            perm = torch.randperm(len(batches), generator=generator).tolist()
            batches = [batches[i] for i in perm]
        return batches

    def planned_batches(self, epoch: int) -> int:
        """This rank's batches in ``epoch`` when it trains on the whole
        training set, without building them.

        Args:
            epoch (int): The epoch, >= 0.

        Returns:
            int: The length of ``epoch`` at the full training set.
        """
        check_int('epoch', epoch, 0)
        schedule = self.clips.schedule
        num_codes = len(schedule.space_factors(epoch))
        counts = torch.bincount(
            self.clips.codes(epoch), minlength=num_codes).tolist()
        return sum(
            math.ceil(count / (self.world_size *
                               schedule.batch_size(epoch, self.batch_size, c)))
            for c, count in enumerate(counts))

    def __iter__(self) -> Iterator[List[int]]:
        for batch in self.global_batches():
            yield batch[self.rank::self.world_size]

    def __len__(self) -> int:
        """This rank's number of batches in the current epoch."""
        return len(self.global_batches())
