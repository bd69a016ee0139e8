from typing import List, Optional

import numpy as np
from torch import Tensor

from mmsakd.datasets.groups import GROUP_PATTERN, clip_groups, group_indices
from mmsakd.datasets.wrapper import innermost_dataset
from mmsakd.registry import HOOKS
from mmsakd.selection import (expected_random_coverage, groups_covered,
                              spread_over_groups, subset_size)
from .random_subset_hook import RandomSubsetHook


@HOOKS.register_module()
class GroupSubsetHook(RandomSubsetHook):
    """Random-subset KD spread over groups of near-duplicate clips: each
    round draws one random clip from each of ``k`` random groups, or, when
    the subset is larger than the number of groups, one of every group and
    then a second, and so on (:func:`mmsakd.selection.spread_over_groups`).

    It is the cheapest way to use a dataset's known redundancy, UCF101's
    groups of clips cut from one video (:mod:`mmsakd.datasets.groups`),
    and the control that tells whether a diversity term such as SAKD's DPP
    finds what the group labels give for free
    (docs/method.md#baselines-for-the-benchmark). The groups are read from
    the file names of the training set's annotation list
    (``..._g<group>_c<clip>``, as UCF101 and the grouped synthetic data
    name them). Everything else is :class:`RandomSubsetHook`'s: the subset
    size ``ceil(ratio * N)``, the rounds every ``interval`` epochs, the
    state in checkpoints; each round's record adds ``groups_covered``,
    ``num_groups`` and ``random_groups_covered`` (the mean coverage of a
    uniformly random subset of the same size), both over the readable
    clips.

    Args:
        ratio (float): Fraction of the training set in the subset, in
            (0, 1]. Defaults to 0.1.
        interval (int): Epochs between draws, >= 1. Defaults to 1.
        seed (int, optional): Seed of the draws, >= 0; None takes
            ``randomness.seed`` of the config (0 if unset). Defaults to None.
        group_pattern (str): Regular expression whose first group captures
            a clip's group number in its path. Defaults to
            ``GROUP_PATTERN``, UCF101's ``_g(\\d+)_c(\\d+)``.
        log_file (str): File name, in the work dir, of the per-round JSON
            lines. Defaults to 'group_subset_rounds.jsonl'.
    """

    def __init__(self,
                 ratio: float = 0.1,
                 interval: int = 1,
                 seed: Optional[int] = None,
                 group_pattern: str = GROUP_PATTERN,
                 log_file: str = 'group_subset_rounds.jsonl') -> None:
        super().__init__(ratio, interval, seed, True, log_file)
        if not isinstance(group_pattern, str) or not group_pattern:
            raise ValueError('group_pattern must be a non-empty regular '
                             f'expression, got {group_pattern!r}')
        self.group_pattern = group_pattern
        self.groups: Optional[np.ndarray] = None
        # The readable clips of the last draw (None: all), which the
        # random coverage of its record is computed over.
        self._population: Optional[np.ndarray] = None

    def before_train(self, runner) -> None:
        dataset = runner.train_dataloader.dataset
        ann_file = getattr(innermost_dataset(dataset), 'ann_file', None)
        if not ann_file:
            raise ValueError(
                'GroupSubsetHook reads the groups from the annotation list of '
                'the training set, but its dataset '
                f'{type(innermost_dataset(dataset)).__name__} has no '
                'ann_file')
        groups = group_indices(clip_groups(ann_file, self.group_pattern))
        if len(groups) != len(dataset):
            raise ValueError(f'{ann_file} lists {len(groups)} clips but the '
                             f'training set has {len(dataset)}')
        self.groups = np.asarray(groups)
        super().before_train(runner)

    def draw(self,
             epoch: int,
             num_samples: int,
             skipped: Optional[Tensor] = None) -> List[int]:
        """The subset of a round: as :meth:`RandomSubsetHook.draw`, spread
        over the groups; the draws are seeded by ``(seed, epoch)``."""
        if self.groups is None or len(self.groups) != num_samples:
            raise RuntimeError('GroupSubsetHook.draw needs the groups of the '
                               f'{num_samples} samples (before_train)')
        k = subset_size(self.ratio, num_samples)
        population = None
        if skipped is not None and bool(skipped.any()):
            population = np.flatnonzero(~skipped.numpy())
            k = min(k, len(population))
        self._population = population
        generator = np.random.default_rng([self.seed, epoch])
        return spread_over_groups(self.groups, k, generator, population)

    def _round_extras(self) -> dict:
        readable = self.groups if self._population is None else \
            self.groups[self._population]
        return dict(
            groups_covered=groups_covered(self.subset, self.groups),
            num_groups=int(len(np.unique(readable))),
            random_groups_covered=round(
                expected_random_coverage(readable, len(self.subset)), 2))
