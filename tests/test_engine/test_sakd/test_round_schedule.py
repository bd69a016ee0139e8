"""``RoundSchedule`` (docs/method.md#ratio-schedule): the epochs of the
rounds, warm-up and annealing enumerated by hand, the ratio of every
epoch, and the planned iterations."""
import math

import pytest

from mmsakd.engine.sakd import RoundSchedule


@pytest.mark.parametrize(
    'max_epochs, warmup, anneal, interval, rounds, annealed',
    [
        # The paper: a round every epoch.
        (5, 0, 0, 1, [0, 1, 2, 3, 4], []),
        # "Ours*": every fifth epoch.
        (12, 0, 0, 5, [0, 5, 10], []),
        (10, 2, 3, 2, [2, 4, 6], [7, 8, 9]),
        (12, 0, 2, 3, [0, 3, 6, 9], [10, 11]),
        # The interval reaches into the annealing: no round there.
        (7, 1, 1, 5, [1], [6]),
        (4, 3, 0, 1, [3], []),
        (4, 0, 3, 2, [0], [1, 2, 3]),
    ])
def test_rounds_and_annealing_epochs(max_epochs, warmup, anneal, interval,
                                     rounds, annealed):
    schedule = RoundSchedule(
        interval=interval, warmup_epochs=warmup, anneal_epochs=anneal)
    schedule.check(max_epochs)
    epochs = range(max_epochs)
    assert [e for e in epochs if schedule.is_round(e, max_epochs)] == rounds
    assert [e for e in epochs if schedule.is_anneal(e, max_epochs)] == annealed


def test_ratio_is_constant_without_ratio_end():
    schedule = RoundSchedule(
        ratio=0.3, interval=2, warmup_epochs=1, anneal_epochs=1)
    assert [schedule.round_ratio(e, 12) for e in range(1, 11)] == [0.3] * 10


@pytest.mark.parametrize(
    'shape, expected',
    [
        # Rounds at epochs 1, 3, 5, 7, 9 go from 0.1 to 0.5 in equal steps,
        # exactly as typed; the epoch after a round keeps its ratio.
        ('linear', [0.1, 0.2, 0.3, 0.4, 0.5]),
        # 0.1 + 0.4 * (1 - cos(pi * t)) / 2 for t = 0, 1/4, ..., 1.
        ('cosine',
         [0.1 + 0.4 * (1 - math.cos(math.pi * i / 4)) / 2 for i in range(5)]),
    ])
def test_ratio_schedule(shape, expected):
    schedule = RoundSchedule(
        ratio=0.1,
        ratio_end=0.5,
        ratio_shape=shape,
        interval=2,
        warmup_epochs=1,
        anneal_epochs=1)
    got = [schedule.round_ratio(e, 12) for e in range(1, 11)]
    by_epoch = [r for r in expected for _ in range(2)]
    if shape == 'linear':
        assert got == by_epoch
    else:
        assert got == pytest.approx(by_epoch, abs=1e-12)


def test_ratio_schedule_with_a_partial_last_interval():
    # 10 epochs every 3: rounds at 0, 3, 6, 9, the last one a single epoch.
    schedule = RoundSchedule(ratio=0.2, ratio_end=0.8, interval=3)
    assert [schedule.round_ratio(e, 10)
            for e in (0, 3, 6, 9)] == pytest.approx([0.2, 0.4, 0.6, 0.8])


def test_planned_iters():
    # N = 10, two per iteration; warm-up epoch 0 and annealing epoch 5 see
    # all 10 samples (5 iterations); the rounds at epochs 1 and 3 select
    # ceil(0.3 * 10) = 3 (2 iterations), then ceil(0.5 * 10) = 5 (3).
    schedule = RoundSchedule(
        ratio=0.3, ratio_end=0.5, interval=2, warmup_epochs=1, anneal_epochs=1)
    seen = []

    def iters(num):
        seen.append(num)
        return math.ceil(num / 2)

    assert schedule.planned_iters(10, 6, iters) == [5, 2, 2, 3, 3, 5]
    assert seen == [10, 3, 3, 5, 5, 10]
    constant = RoundSchedule(ratio=0.07, interval=3)
    # ceil(0.07 * 100) is 7 for the ratio as typed.
    assert constant.planned_iters(100, 4, lambda n: n) == [7] * 4


def test_check_leaves_an_epoch_for_rounds():
    schedule = RoundSchedule(warmup_epochs=3, anneal_epochs=2)
    schedule.check(6)
    with pytest.raises(ValueError) as error:
        schedule.check(5)
    assert str(error.value) == (
        'warmup_epochs (3) + anneal_epochs (2) must be below the 5 training '
        'epochs, leaving at least one epoch for selection rounds')


@pytest.mark.parametrize('kwargs, message', [
    (dict(ratio=0), r'ratio must be in \(0, 1\]'),
    (dict(ratio=1.01), r'ratio must be in \(0, 1\]'),
    (dict(interval=0), 'interval must be a positive integer'),
    (dict(interval=2.0), 'interval must be a positive integer'),
    (dict(interval=True), 'interval must be a positive integer'),
    (dict(warmup_epochs=-1), 'warmup_epochs must be an integer >= 0'),
    (dict(anneal_epochs=0.5), 'anneal_epochs must be an integer >= 0'),
    (dict(ratio_end=0), r'ratio_end must be in \(0, 1\]'),
    (dict(ratio_shape='step'), 'ratio_shape must be'),
])
def test_bad_arguments_name_the_key(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RoundSchedule(**kwargs)
