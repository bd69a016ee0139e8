"""The benchmark's aggregation over seeds on canned records: means, sample
standard deviations, paired differences, time ratios, time-to-accuracy and
the markdown tables."""
import math

import pytest

from mmsakd.benchmark.summary import (aggregate, mean_curve, mean_std,
                                      results_table, time_split_table,
                                      time_to_accuracy)


def _curve(top1s, epoch_time):
    return [
        dict(epoch=i + 1, train_time=epoch_time * (i + 1), top1=t)
        for i, t in enumerate(top1s)
    ]


def _record(run, seed, top1s, epoch_time, **extra):
    curve = _curve(top1s, epoch_time)
    return dict(
        run=run,
        seed=seed,
        top1=top1s[-1],
        top5=90. + seed,
        train_time=curve[-1]['train_time'],
        curve=curve,
        **extra)


# kd: seeds 0/1/2 end at 60/70/80 (mean 70) after 3 epochs of 10/10/10 s.
# fast: ends 62/66/80 after 3 epochs of 3/4/5 s, reaches 66.5 (95 % of 70)
# in epoch 2 on the mean curve.
RECORDS = [
    _record('kd', 0, [30, 50, 60], 10., data_time=3.),
    _record('kd', 1, [40, 60, 70], 10., data_time=3.),
    _record('kd', 2, [50, 70, 80], 10., data_time=3.),
    _record(
        'fast',
        0, [40, 60, 62],
        3.,
        score_time=1.,
        score_data_time=.5,
        rounds=1),
    _record(
        'fast',
        1, [50, 65, 66],
        4.,
        score_time=2.,
        score_data_time=.4,
        rounds=1),
    _record(
        'fast',
        2, [60, 80, 80],
        5.,
        score_time=3.,
        score_data_time=.6,
        rounds=2),
    # A field that only some seeds have is not averaged.
    _record('slow', 1, [10, 20, 35], 20., data_time=1.),
    _record('slow', 0, [10, 20, 30], 20.),
]


def test_mean_std():
    assert mean_std([2.]) == (2., 0.)
    mean, std = mean_std([60, 70, 80])
    assert mean == 70 and std == pytest.approx(10.)  # ddof=1
    with pytest.raises(ValueError):
        mean_std([])


def test_mean_curve_keeps_common_epochs():
    curve = mean_curve([_curve([10, 20, 30], 2.), _curve([30, 40], 4.)])
    assert [p['epoch'] for p in curve] == [1, 2]
    assert curve[0]['top1'] == 20 and curve[1]['top1'] == 30
    assert curve[1]['train_time'] == pytest.approx(6.)
    assert curve[0]['top1_std'] == pytest.approx(math.sqrt(200))


def test_time_to_accuracy():
    curve = _curve([10, 50, 70], 5.)
    assert time_to_accuracy(curve, 50) == 10.
    assert time_to_accuracy(curve, 49.9) == 10.
    assert time_to_accuracy(curve, 70.1) is None


def test_aggregate_against_hand_computation():
    summary = aggregate(RECORDS, baseline='kd', order=['kd', 'fast'])
    assert summary['baseline'] == 'kd'
    assert summary['targets'] == {0.95: pytest.approx(66.5), 1.0: 70.}
    rows = {r['run']: r for r in summary['rows']}
    assert [r['run'] for r in summary['rows']] == ['kd', 'fast', 'slow']

    kd = rows['kd']
    assert kd['top1'] == (70., pytest.approx(10.))
    assert kd['diff'] == (0., 0.)
    assert kd['rel_time'] == (1., 0.)
    assert kd['data_time'] == (3., 0.)
    assert kd['score_time'] is None
    # kd's own mean curve: 40, 60, 70 at 10, 20, 30 s of 30 s.
    assert kd['tta'][1.0] == pytest.approx(1.)
    assert kd['tta'][0.95] == pytest.approx(1.)

    fast = rows['fast']
    assert fast['seeds'] == [0, 1, 2]
    assert fast['top1'][0] == pytest.approx(208 / 3)
    # Paired: 62-60, 66-70, 80-80.
    diffs = [2., -4., 0.]
    assert fast['diff'][0] == pytest.approx(sum(diffs) / 3)
    assert fast['diff'][1] == pytest.approx(mean_std(diffs)[1])
    # Per-seed ratios 9/30, 12/30, 15/30.
    assert fast['rel_time'][0] == pytest.approx(0.4)
    assert fast['rel_time'][1] == pytest.approx(0.1)
    # Mean curve 50, 68.33, 69.33 at 4, 8, 12 s: 95 % (66.5) at 8 s, 100 %
    # never; relative to kd's mean 30 s.
    assert fast['tta'][0.95] == pytest.approx(8 / 30)
    assert fast['tta'][1.0] is None
    assert fast['score_time'] == (2., 1.)
    assert fast['round_vs_epoch'] == (pytest.approx(.15), pytest.approx(.05))
    assert rows['kd']['round_vs_epoch'] is None

    slow = rows['slow']
    assert slow['diff'] == (-32.5, pytest.approx(math.sqrt(12.5)))
    assert slow['rel_time'] == (2., 0.)
    assert slow['data_time'] is None
    assert slow['tta'] == {0.95: None, 1.0: None}


def test_aggregate_without_baseline():
    summary = aggregate([r for r in RECORDS if r['run'] != 'kd'])
    assert summary['baseline'] is None and summary['targets'] == {}
    assert all(r['diff'] is None and r['rel_time'] is None
               for r in summary['rows'])


def test_aggregate_names_incomplete_record():
    record = dict(RECORDS[0])
    del record['curve']
    with pytest.raises(KeyError, match="'kd'.*seed 0.*curve"):
        aggregate([record])


def test_tables():
    summary = aggregate(RECORDS, baseline='kd')
    table = results_table(summary)
    lines = table.splitlines()
    assert len(lines) == 2 + 3
    assert 'Time to 95 % of kd' in lines[0]
    fast = next(line for line in lines if line.startswith('| fast'))
    cells = [c.strip() for c in fast.strip('|').split('|')]
    assert cells[1] == '69.3 ± 9.5'
    assert cells[2] == '-0.7 ± 3.1'
    assert cells[4] == '0.40x ± 0.10'
    assert cells[5:7] == ['0.27x', 'never']
    assert cells[-1] == '3'
    split = time_split_table(summary)
    kd = next(line for line in split.splitlines() if line.startswith('| kd'))
    # 30 s: 3 s data, no scoring, 27 s compute.
    assert [c.strip() for c in kd.strip('|').split('|')
            ] == ['kd', '30.0', '3.0', '0.0', '0.0', '0.00', '27.0', '-']
    assert 'Scoring round / kd epoch' in split.splitlines()[0]
    fast = next(line for line in split.splitlines()
                if line.startswith('| fast'))
    # Mean 12 s, scoring 2 s of which 0.5 s data wait, no training data
    # time recorded: 10 s compute.
    # Rounds of 1, 2 and 1.5 s against kd epochs of 10 s.
    assert [c.strip() for c in fast.strip('|').split('|')] == [
        'fast', '12.0', '0.0', '2.0', '0.5', '0.00', '10.0', '0.15x ± 0.05'
    ]
