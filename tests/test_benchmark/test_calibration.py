"""The calibration checks of a regime on a summary worked out by hand."""
from mmsakd.benchmark import REGIMES, calibration
from mmsakd.benchmark.calibration import calibration_section


def _row(run, top1, curve):
    return dict(
        run=run,
        top1=(top1, 1.),
        curve=[dict(epoch=i + 1, top1=t) for i, t in enumerate(curve)])


def test_calibration_checks():
    # 10 classes: chance 10 %. The student alone ends at 60 (a gain of 50
    # over chance), 80 % of it (50 %) in epoch 2 of 15, within the first
    # fifth; vanilla KD's last three validations span 1.5 points.
    summary = dict(rows=[
        _row('ce', 60., [40., 55., 60.]),
        _row('kd', 65., [64., 65., 65.5]),
        _row('sakd_i1', 20., [10., 20.])
    ])
    prepared = dict(teacher=dict(top1=75.))
    calib = calibration(REGIMES['scratch'], prepared, summary)
    assert calib['chance'] == 10.
    assert calib['teacher_minus_ce'] == 15.
    assert calib['kd_minus_ce'] == 5.
    assert calib['ce_epoch_80pct_gain'] == 2
    assert calib['kd_last3_spread'] == 1.5
    assert calib['best_mean_top1'] == 65.
    assert [c['met']
            for c in calib['checks']] == [True, True, True, False, True]
    lines = calibration_section(calib)
    assert lines[:3] == ['## Calibration', '', '- teacher top-1: 75.0']
    assert ('- vanilla KD plateaus (last three mean validations within 1 '
            'point): **missed**') in lines
    # Without the student alone, its checks are left out.
    calib = calibration(REGIMES['scratch'], prepared,
                        dict(rows=summary['rows'][1:]))
    assert len(calib['checks']) == 2
    assert calibration_section({}) == []
