"""Subsets and groups of near-duplicate clips (clips cut from one video,
:mod:`mmsakd.datasets.groups`): how many groups a subset covers, how many a
uniformly random subset of its size covers on average, and a random subset
spread over the groups, the control that knows the groups for free
(docs/method.md#baselines-for-the-benchmark)."""
from typing import Optional, Sequence

import numpy as np

from .checks import check_int


def groups_covered(selected: Sequence[int], groups: Sequence[int]) -> int:
    """Distinct groups among the selected samples.

    Args:
        selected (Sequence[int]): Dataset indices.
        groups (Sequence[int]): The group of every sample of the dataset.

    Returns:
        int: The number of groups with at least one selected sample.
    """
    groups = np.asarray(groups)
    return int(len(np.unique(groups[np.asarray(selected, dtype=np.int64)])))


def expected_random_coverage(groups: Sequence[int], k: int) -> float:
    """Mean number of groups that ``k`` samples drawn uniformly without
    replacement cover.

    A group of ``n`` of the ``N`` samples is missed with probability
    ``C(N - n, k) / C(N, k) = prod_{i<n} (N - k - i) / (N - i)``.

    Args:
        groups (Sequence[int]): The group of every sample.
        k (int): Subset size, in ``[0, N]``.

    Returns:
        float: The expected number of groups covered.
    """
    _, sizes = np.unique(np.asarray(groups), return_counts=True)
    total = int(sizes.sum())
    check_int('k', k, 0)
    if k > total:
        raise ValueError(f'k must be <= the number of samples {total}, '
                         f'got {k}')
    covered = 0.
    for size in sizes:
        missed = 1.
        for i in range(int(size)):
            missed *= max(total - k - i, 0) / (total - i)
        covered += 1. - missed
    return covered


def spread_over_groups(groups: Sequence[int],
                       k: int,
                       generator: np.random.Generator,
                       population: Optional[Sequence[int]] = None) -> list:
    """``k`` random samples, as many groups as possible: one random sample
    of each of ``k`` random groups, or, when ``k`` exceeds the groups, one
    of every group, then a second of every group that has one, in a new
    random order of the groups, and so on.

    Args:
        groups (Sequence[int]): The group of every sample of the dataset.
        k (int): Subset size, in ``[0, len(population)]``.
        generator (np.random.Generator): The draws' generator.
        population (Sequence[int], optional): The indices that may be drawn
            (e.g. the readable clips); None: all. Defaults to None.

    Returns:
        list[int]: ``k`` distinct indices, sorted.
    """
    groups = np.asarray(groups)
    population = np.arange(len(groups)) if population is None else \
        np.asarray(population, dtype=np.int64)
    check_int('k', k, 0)
    if k > len(population):
        raise ValueError(f'k must be <= the {len(population)} samples that '
                         f'may be drawn, got {k}')
    # Every group's samples in a random order, then the groups' turns.
    members = {}
    for index in generator.permutation(population):
        members.setdefault(int(groups[index]), []).append(int(index))
    keys = sorted(members)
    chosen = []
    turn = 0
    while len(chosen) < k:
        order = [keys[i] for i in generator.permutation(len(keys))]
        for key in order:
            if turn < len(members[key]):
                chosen.append(members[key][turn])
                if len(chosen) == k:
                    break
        turn += 1
    return sorted(chosen)
