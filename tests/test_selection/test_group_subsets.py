import itertools
import math

import numpy as np
import pytest

from mmsakd.selection.group_subsets import (expected_random_coverage,
                                            groups_covered, spread_over_groups)


def test_groups_covered():
    groups = [0, 0, 1, 1, 2]
    assert groups_covered([0, 1], groups) == 1
    assert groups_covered([1, 2, 4], groups) == 3
    assert groups_covered([], groups) == 0


@pytest.mark.parametrize('k', [0, 1, 2, 3, 5, 7])
def test_expected_random_coverage_enumerates(k):
    groups = [0, 0, 0, 1, 1, 2, 3]
    subsets = list(itertools.combinations(range(len(groups)), k))
    mean = np.mean([groups_covered(s, groups) for s in subsets])
    assert math.isclose(
        expected_random_coverage(groups, k), mean, abs_tol=1e-12)


def test_spread_covers_every_group_it_can():
    groups = np.repeat(np.arange(10), 5)  # 10 groups of 5
    for k in (3, 10, 13, 50):
        chosen = spread_over_groups(groups, k, np.random.default_rng(k))
        assert len(chosen) == len(set(chosen)) == k
        assert chosen == sorted(chosen)
        assert groups_covered(chosen, groups) == min(k, 10)
        counts = np.bincount(groups[chosen], minlength=10)
        assert counts.max() - counts.min() <= 1  # turns, group by group
    # Random: other seeds pick other clips and other groups.
    draws = {
        tuple(spread_over_groups(groups, 3, np.random.default_rng(s)))
        for s in range(20)
    }
    assert len(draws) == 20


def test_spread_draws_from_the_population_only():
    groups = [0, 0, 1, 1, 2, 2]
    chosen = spread_over_groups(
        groups, 3, np.random.default_rng(0), population=[0, 2, 3, 5])
    assert set(chosen) <= {0, 2, 3, 5}
    assert groups_covered(chosen, groups) == 3
    with pytest.raises(ValueError, match='k must be <= the 4 samples'):
        spread_over_groups(groups, 5, np.random.default_rng(0), [0, 2, 3, 5])
