"""When SAKD's rounds run and how many samples they select: warm-up,
annealing, interval and ratio schedule, in one place."""
import math
from typing import Callable, List, Optional

from mmsakd.selection import (RATIO_SHAPES, check_choice, check_int,
                              check_range, round_ratio, subset_size)


class RoundSchedule:
    """The epochs of SAKD's rounds and their ratios
    (docs/method.md#ratio-schedule).

    ``warmup_epochs`` full-data epochs come first, ``anneal_epochs``
    full-data epochs last; a round runs at every ``interval``-th epoch in
    between, selecting ``ratio`` of the samples, or, with ``ratio_end``, a
    ratio on the path from ``ratio`` (first round) to ``ratio_end`` (last).

    Args:
        ratio (float): In (0, 1]. Defaults to 0.1.
        interval (int): Epochs between rounds, >= 1. Defaults to 1.
        warmup_epochs (int): >= 0. Defaults to 0.
        anneal_epochs (int): >= 0. Defaults to 0.
        ratio_end (float, optional): In (0, 1]. Defaults to None.
        ratio_shape (str): A key of :data:`mmsakd.selection.RATIO_SHAPES`.
            Defaults to 'linear'.
    """

    def __init__(self,
                 ratio: float = 0.1,
                 interval: int = 1,
                 warmup_epochs: int = 0,
                 anneal_epochs: int = 0,
                 ratio_end: Optional[float] = None,
                 ratio_shape: str = 'linear') -> None:
        check_range('ratio', ratio, 0, 1, low_open=True)
        if not isinstance(interval, int) or isinstance(interval, bool) \
                or interval < 1:
            raise ValueError(
                f'interval must be a positive integer, got {interval!r}')
        check_int('warmup_epochs', warmup_epochs, 0)
        check_int('anneal_epochs', anneal_epochs, 0)
        if ratio_end is not None:
            check_range('ratio_end', ratio_end, 0, 1, low_open=True)
        check_choice('ratio_shape', ratio_shape, tuple(RATIO_SHAPES))
        self.ratio = float(ratio)
        self.interval = interval
        self.warmup_epochs = warmup_epochs
        self.anneal_epochs = anneal_epochs
        self.ratio_end = None if ratio_end is None else float(ratio_end)
        self.ratio_shape = ratio_shape

    def check(self, max_epochs: int) -> None:
        """Refuse a schedule that leaves no epoch for rounds."""
        if self.warmup_epochs + self.anneal_epochs >= max_epochs:
            raise ValueError(
                f'warmup_epochs ({self.warmup_epochs}) + anneal_epochs '
                f'({self.anneal_epochs}) must be below the '
                f'{max_epochs} training epochs, leaving at least '
                'one epoch for selection rounds')

    def is_anneal(self, epoch: int, max_epochs: int) -> bool:
        """Whether ``epoch`` trains on every sample after the rounds."""
        return epoch >= max_epochs - self.anneal_epochs

    def is_round(self, epoch: int, max_epochs: int) -> bool:
        """Whether a round runs at the start of ``epoch``."""
        return (not self.is_anneal(epoch, max_epochs)
                and epoch >= self.warmup_epochs
                and (epoch - self.warmup_epochs) % self.interval == 0)

    def round_ratio(self, epoch: int, max_epochs: int) -> float:
        """The ratio of the round that sets the subset of ``epoch``, an
        epoch between the warm-up and the annealing.

        Args:
            epoch (int): The 0-based epoch.
            max_epochs (int): The training epochs.

        Returns:
            float: ``ratio``, or the schedule's value for that round when
            ``ratio_end`` is set.
        """
        if self.ratio_end is None:
            return self.ratio
        span = max_epochs - self.warmup_epochs - self.anneal_epochs
        return round_ratio((epoch - self.warmup_epochs) // self.interval,
                           math.ceil(span / self.interval), self.ratio,
                           self.ratio_end, self.ratio_shape)

    def planned_iters(self, num_samples: int, max_epochs: int,
                      iters: Callable[[int], int]) -> List[int]:
        """The iterations of every epoch: all samples in the warm-up and
        annealing epochs, the ``k`` samples of the epoch's round in the
        others.

        Args:
            num_samples (int): Size of the training set.
            max_epochs (int): The training epochs.
            iters (callable): The iterations of an epoch of ``n`` samples
                on this rank.

        Returns:
            list[int]: One count per epoch.
        """
        plan = []
        for epoch in range(max_epochs):
            if epoch < self.warmup_epochs or self.is_anneal(epoch, max_epochs):
                plan.append(iters(num_samples))
            else:
                ratio = self.round_ratio(epoch, max_epochs)
                plan.append(iters(subset_size(ratio, num_samples)))
        return plan
