import math

import pytest

from mmsakd.selection import (RATIO_SHAPES, interruption_rate, num_interrupted,
                              round_ratio, subset_size)


def test_beta_endpoints():
    assert interruption_rate(0, 50) == 0.0
    assert interruption_rate(50, 50) == 1.0


def test_beta_matches_eq4_by_hand():
    # 1 - 0.5 ** 0.9 = 1 - exp(0.9 * ln 0.5)
    assert interruption_rate(25, 50) == pytest.approx(
        1 - math.exp(0.9 * math.log(0.5)), abs=1e-12)
    assert interruption_rate(25, 50) == pytest.approx(0.4641133, abs=1e-7)
    assert interruption_rate(3, 10, theta=2.0) == pytest.approx(1 - 0.49)


def test_beta_is_monotone():
    values = [interruption_rate(n, 200) for n in range(201)]
    assert all(b > a for a, b in zip(values, values[1:]))
    assert all(0 <= v <= 1 for v in values)


@pytest.mark.parametrize('epoch, max_epochs, theta',
                         [(-1, 10, 0.9), (11, 10, 0.9), (0, 0, 0.9),
                          (1, 10, 0.0)])
def test_beta_rejects_bad_arguments(epoch, max_epochs, theta):
    with pytest.raises(ValueError):
        interruption_rate(epoch, max_epochs, theta)


def test_num_interrupted_rounds_half_up():
    assert num_interrupted(0.5, 5) == 3  # 2.5, not Python's round() -> 2
    assert num_interrupted(0.5, 7) == 4  # 3.5
    assert num_interrupted(0.29, 50) == 15  # 14.499999999999998 in float
    assert num_interrupted(0.3, 16) == 5  # 4.8
    assert num_interrupted(0.0, 16) == 0
    assert num_interrupted(1.0, 16) == 16
    # Halves as written round up, whatever the float product: 1.5, 1.5,
    # 3.5, 31.5 (31.499999999999996 in float), 28.5 (28.499999999999996).
    assert num_interrupted(0.3, 5) == 2
    assert num_interrupted(0.15, 10) == 2
    assert num_interrupted(0.35, 10) == 4
    assert num_interrupted(0.35, 90) == 32
    assert num_interrupted(0.57, 50) == 29
    # Just below a half stays below (0.4999999998), where a tolerance for
    # float error would round it up.
    assert num_interrupted(0.2499999999, 2) == 0
    with pytest.raises(ValueError, match='rate'):
        num_interrupted(1.5, 4)


@pytest.mark.parametrize('shape', sorted(RATIO_SHAPES))
def test_round_ratio_ends_and_single_round(shape):
    assert round_ratio(0, 5, 0.5, 0.1, shape) == 0.5
    assert round_ratio(4, 5, 0.5, 0.1, shape) == pytest.approx(0.1)
    assert round_ratio(0, 1, 0.3, 0.9, shape) == 0.3


def test_round_ratio_by_hand():
    # Linear: equal steps of (0.1 - 0.5) / 4.
    linear = [round_ratio(i, 5, 0.5, 0.1) for i in range(5)]
    assert linear == pytest.approx([0.5, 0.4, 0.3, 0.2, 0.1])
    # Cosine: 0.1 + 0.4 * (1 + cos(pi * i / 4)) / 2, rising the same way.
    cosine = [round_ratio(i, 5, 0.1, 0.5, 'cosine') for i in range(5)]
    assert cosine == pytest.approx(
        [0.5 - 0.4 * (1 + math.cos(math.pi * i / 4)) / 2 for i in range(5)])
    assert cosine[2] == pytest.approx(0.3)
    # A linear path from a to b selects (a + b) / 2 on average, so a
    # schedule from 0.5 to 0.1 takes the steps of a constant 0.3.
    down = [round_ratio(i, 13, 0.5, 0.1) for i in range(13)]
    assert sum(down) / 13 == pytest.approx(0.3)


def test_linear_round_ratio_is_exact_for_typed_ends():
    # Half-way from 0.1 to 0.5 is 0.3, which sizes 30 of 100 clips, as a
    # typed 0.3 does (0.1 + 0.4 * 0.5 is 0.30000000000000004 in float).
    assert round_ratio(1, 3, 0.1, 0.5) == 0.3
    assert subset_size(round_ratio(1, 3, 0.1, 0.5), 100) == 30
    steps = [round_ratio(i, 6, 0.1, 0.6) for i in range(6)]
    assert steps == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]


@pytest.mark.parametrize('args, message', [
    ((0, 0, 0.5, 0.1), 'num_rounds must be an integer >= 1'),
    ((3, 3, 0.5, 0.1), r'round_index must be an integer in \[0, 3\)'),
    ((0, 3, 0, 0.1), r'start must be in \(0, 1\]'),
    ((0, 3, 0.5, 1.5), r'end must be in \(0, 1\]'),
    ((0, 3, 0.5, 0.1, 'step'), "shape must be 'linear' or 'cosine'"),
])
def test_round_ratio_rejects_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        round_ratio(*args)
