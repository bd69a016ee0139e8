"""A regime's calibration: the figures that say whether its teacher,
student and schedule make a benchmark that can tell methods apart
(docs/benchmarks.md#two-regimes), and their section of results.md."""
from typing import TYPE_CHECKING, Dict, List

if TYPE_CHECKING:
    from .regimes import Regime


def calibration(regime: 'Regime',
                prepared: Dict,
                summary: Dict,
                baseline: str = 'kd',
                alone: str = 'ce') -> Dict:
    """The regime's calibration figures and whether each target is met.

    Targets (3-seed means): teacher >= student alone + 8 points; vanilla KD
    >= student alone + 2 points; no run at 100 %; the student alone's mean
    curve reaches 80 % of its final gain over chance within the first
    fifth of the epochs; vanilla KD's last three mean validations within
    1 point (plateau).

    Args:
        regime (Regime): The regime.
        prepared (dict): :func:`~mmsakd.benchmark.pretrain.prepare`'s
            result.
        summary (dict): :func:`~mmsakd.benchmark.summary.aggregate`'s
            summary.
        baseline (str): The run of vanilla KD. Defaults to 'kd'.
        alone (str): The run of the student alone. Defaults to 'ce'.

    Returns:
        dict: The figures and ``checks``, a list of ``target`` and ``met``.
    """
    rows = {row['run']: row for row in summary['rows']}
    chance = 100. / len(regime.target.classes)
    out: Dict = dict(chance=chance, teacher_top1=prepared['teacher']['top1'])
    ce, kd = rows.get(alone), rows.get(baseline)
    checks = []
    if ce is not None:
        gap = out['teacher_top1'] - ce['top1'][0]
        out['teacher_minus_ce'] = gap
        checks.append(('teacher - student alone >= 8 points', gap >= 8))
        curve = ce['curve']
        final = curve[-1]['top1']
        gain = final - chance
        reach = None
        if gain > 0:
            reach = next((p['epoch']
                          for p in curve if p['top1'] - chance >= 0.8 * gain),
                         None)
        out['ce_epoch_80pct_gain'] = reach
        checks.append(
            ('student alone reaches 80 % of its final gain over '
             'chance within the first fifth of the epochs', reach is not None
             and reach <= regime.epochs / 5))
    if ce is not None and kd is not None:
        out['kd_minus_ce'] = kd['top1'][0] - ce['top1'][0]
        checks.append(
            ('vanilla KD - student alone >= 2 points', out['kd_minus_ce']
             >= 2))
    if kd is not None:
        last = [p['top1'] for p in kd['curve'][-3:]]
        out['kd_last3_spread'] = max(last) - min(last)
        checks.append(('vanilla KD plateaus (last three mean validations '
                       'within 1 point)', out['kd_last3_spread'] <= 1.))
    best = max((row['top1'][0] for row in summary['rows']), default=0.)
    out['best_mean_top1'] = best
    checks.append(('no run saturates (every mean top-1 < 100 %)', best < 100.))
    out['checks'] = [dict(target=t, met=bool(m)) for t, m in checks]
    return out


#: The calibration figures of results.md, in order, with their labels.
_FIGURES = (('teacher_top1', 'teacher top-1'), ('teacher_minus_ce',
                                                'teacher - student alone'),
            ('kd_minus_ce', 'vanilla KD - student alone'),
            ('ce_epoch_80pct_gain', 'epoch at which student alone reaches '
             '80 % of its final gain over chance'),
            ('kd_last3_spread',
             'spread of vanilla KD\'s last three mean validations'),
            ('best_mean_top1', 'best mean top-1'))


def calibration_section(calib: Dict) -> List[str]:
    """The lines of results.md's calibration section (none without
    checks)."""
    if not calib.get('checks'):
        return []
    lines = ['## Calibration', '']
    for key, label in _FIGURES:
        if calib.get(key) is not None:
            value = calib[key]
            value = f'{value:.1f}' if isinstance(value, float) else value
            lines.append(f'- {label}: {value}')
    lines.append('')
    for check in calib['checks']:
        lines.append(f'- {check["target"]}: '
                     f'**{"met" if check["met"] else "missed"}**')
    lines.append('')
    return lines
