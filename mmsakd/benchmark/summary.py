"""Aggregation of benchmark runs over seeds: mean +- std, paired differences
to a baseline, time ratios and time-to-accuracy, as numbers and markdown.

Every function here works on plain run records (the summaries of
:func:`~mmsakd.apis.summarize_run` plus ``run`` and ``seed``), so that the
tables of ``tools/analysis/benchmark.py`` can be checked on canned
records. Nothing here imports torch.
"""
import math
from typing import Dict, List, Optional, Sequence, Tuple

from mmsakd.apis.experiment import markdown_table

#: Fractions of the baseline's final mean top-1 whose time-to-accuracy is
#: reported.
TTA_FRACTIONS: Tuple[float, ...] = (0.95, 1.0)


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``; 0 for one value).

    Args:
        values (Sequence[float]): At least one number.

    Returns:
        tuple[float, float]: ``(mean, std)``.
    """
    values = [float(v) for v in values]
    if not values:
        raise ValueError('mean_std needs at least one value')
    mean = sum(values) / len(values)
    if len(values) == 1:
        return mean, 0.
    var = sum((v - mean)**2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(var)


def mean_curve(curves: Sequence[Sequence[dict]]) -> List[Dict]:
    """The pointwise mean of several accuracy curves.

    Args:
        curves (Sequence[Sequence[dict]]): One curve per seed, each a list of
            points with ``epoch``, cumulative ``train_time`` (s) and
            ``top1`` (%).

    Returns:
        list[dict]: For every epoch present in all curves, in order:
        ``epoch``, the mean ``train_time``, the mean ``top1`` and its
        ``top1_std`` over the curves.
    """
    if not curves:
        return []
    by_epoch = [{p['epoch']: p for p in curve} for curve in curves]
    epochs = sorted(set.intersection(*(set(c) for c in by_epoch)))
    points = []
    for epoch in epochs:
        top1, top1_std = mean_std([c[epoch]['top1'] for c in by_epoch])
        points.append(
            dict(
                epoch=epoch,
                train_time=mean_std([c[epoch]['train_time']
                                     for c in by_epoch])[0],
                top1=top1,
                top1_std=top1_std))
    return points


def time_to_accuracy(curve: Sequence[dict], target: float) -> Optional[float]:
    """The training time at which ``curve`` first reaches ``target``.

    Args:
        curve (Sequence[dict]): Points with ``train_time`` and ``top1``, in
            epoch order.
        target (float): Top-1 to reach (%).

    Returns:
        float | None: The cumulative training time of the first point with
        ``top1 >= target``; None if no point reaches it.
    """
    for point in curve:
        # Tolerance for the rounding of means of equal values.
        if point['top1'] >= target - 1e-9:
            return float(point['train_time'])
    return None


def aggregate(records: Sequence[dict],
              baseline: str = 'kd',
              order: Optional[Sequence[str]] = None) -> Dict:
    """Per-run statistics over seeds, paired against ``baseline``.

    Args:
        records (Sequence[dict]): One per (run, seed): ``run``, ``seed``,
            ``top1``, ``top5``, ``train_time``, ``curve`` and optionally
            ``label``, ``data_time``, ``iters``, ``score_time``,
            ``score_data_time``, ``select_time``.
        baseline (str): The run the differences, time ratios and
            time-to-accuracy targets refer to. Defaults to 'kd'.
        order (Sequence[str], optional): Run order of the rows; runs not
            listed follow in order of first appearance. Defaults to None.

    Returns:
        dict: ``baseline`` (its name, or None if absent), ``targets``
        (``{fraction: top-1}``) and ``rows``, one dict per run with
        ``run``, ``label``, ``seeds``, ``top1``/``top5``/``train_time``/
        ``data_time``/``iters``/``score_time``/``score_data_time``/
        ``select_time`` as ``(mean,
        std)`` (None where no record has the value), ``diff`` (paired
        top-1 difference to the baseline, ``(mean, std)``, over the seeds
        both have; None without any), ``rel_time`` (per-seed ratio of
        training times to the baseline's, ``(mean, std)``),
        ``round_vs_epoch`` (per-seed ratio of the run's mean scoring round,
        ``score_time / rounds``, to a baseline epoch, its ``train_time``
        over its curve's epochs; None without rounds), ``curve`` (the
        :func:`mean_curve`) and ``tta`` (``{fraction: time / baseline's
        mean total time, or None for never}``).
    """
    runs: Dict[str, List[dict]] = {}
    for record in records:
        for key in ('run', 'seed', 'top1', 'train_time', 'curve'):
            if key not in record:
                raise KeyError(f'benchmark record {record.get("run")!r} '
                               f'(seed {record.get("seed")!r}) lacks {key!r}')
        runs.setdefault(record['run'], []).append(record)
    names = [n for n in (order or []) if n in runs]
    names += [n for n in runs if n not in names]
    base_by_seed = {r['seed']: r for r in runs.get(baseline, [])}

    targets: Dict[float, float] = {}
    base_time = None
    if base_by_seed:
        base_top1 = mean_std([r['top1'] for r in base_by_seed.values()])[0]
        base_time = mean_std([r['train_time']
                              for r in base_by_seed.values()])[0]
        targets = {f: f * base_top1 for f in TTA_FRACTIONS}

    rows = []
    for name in names:
        group = sorted(runs[name], key=lambda r: r['seed'])
        row = dict(
            run=name,
            label=group[0].get('label', name),
            seeds=[r['seed'] for r in group])
        for key in ('top1', 'top5', 'train_time', 'data_time', 'iters',
                    'score_time', 'score_data_time', 'select_time'):
            values = [r.get(key) for r in group]
            # A mean over only some seeds would not match the others.
            row[key] = None if None in values else mean_std(values)
        paired = [(r, base_by_seed[r['seed']]) for r in group
                  if r['seed'] in base_by_seed]
        row['diff'] = mean_std([r['top1'] - b['top1']
                                for r, b in paired]) if paired else None
        row['rel_time'] = mean_std(
            [r['train_time'] / b['train_time']
             for r, b in paired]) if paired else None
        # A scoring round against an epoch of the baseline (its training
        # time over its epochs), per seed.
        rounds = [(r, b) for r, b in paired
                  if r.get('rounds') and r.get('score_time') is not None]
        row['round_vs_epoch'] = mean_std([
            r['score_time'] / r['rounds'] / (b['train_time'] / len(b['curve']))
            for r, b in rounds
        ]) if rounds and len(rounds) == len(group) else None
        row['curve'] = mean_curve([r['curve'] for r in group])
        row['tta'] = {}
        for fraction, target in targets.items():
            reached = time_to_accuracy(row['curve'], target)
            row['tta'][fraction] = (None if reached is None else reached /
                                    base_time)
        rows.append(row)
    return dict(
        baseline=baseline if base_by_seed else None,
        targets=targets,
        rows=rows)


def _pm(stat: Optional[Tuple[float, float]],
        digits: int = 1,
        sign: bool = False) -> str:
    if stat is None:
        return '-'
    mean, std = stat
    value = f'{mean:+.{digits}f}' if sign else f'{mean:.{digits}f}'
    return f'{value} ± {std:.{digits}f}'


def results_table(summary: Dict) -> str:
    """The markdown table of :func:`aggregate`'s rows.

    Columns: top-1 and top-5 (mean ± std over seeds), the paired top-1
    difference to the baseline, the training time relative to the
    baseline's (mean ± std of per-seed ratios), the time-to-accuracy at
    each fraction of the baseline's final mean top-1 ("never" if the mean
    curve does not reach it), the share of training time spent waiting for
    data, the training iterations and the number of seeds.
    """
    base = summary['baseline'] or 'baseline'
    header = [
        'Run', 'Top-1 (%)', f'Top-1 vs {base} (paired)', 'Top-5 (%)',
        f'Time vs {base}'
    ]
    header += [
        f'Time to {100 * f:.0f} % of {base}' for f in summary['targets']
    ]
    header += ['Data wait', 'Iterations', 'Seeds']
    rows = []
    for row in summary['rows']:
        cells = [
            row['label'],
            _pm(row['top1']),
            _pm(row['diff'], sign=True),
            _pm(row['top5']), '-' if row['rel_time'] is None else
            f'{row["rel_time"][0]:.2f}x ± {row["rel_time"][1]:.2f}'
        ]
        for fraction in summary['targets']:
            value = row['tta'].get(fraction)
            cells.append('never' if value is None else f'{value:.2f}x')
        data, total = row['data_time'], row['train_time']
        cells.append('-' if data is None or not total[0] else
                     f'{100 * data[0] / total[0]:.0f} %')
        cells.append('-' if row['iters'] is None else f'{row["iters"][0]:.0f}')
        cells.append(len(row['seeds']))
        rows.append(cells)
    return markdown_table(header, rows)


def time_split_table(summary: Dict) -> str:
    """Where the training time of each run goes, in mean seconds: waiting
    for training batches, scoring (and the part of it spent waiting for
    the scoring loader), selection, and the rest (training compute); and
    the cost of one scoring round relative to one epoch of the baseline."""

    def mean(row, key):
        return row[key][0] if row.get(key) else 0.

    rows = []
    for row in summary['rows']:
        total = mean(row, 'train_time')
        data, score = mean(row, 'data_time'), mean(row, 'score_time')
        select = mean(row, 'select_time')
        ratio = row.get('round_vs_epoch')
        rows.append(
            (row['label'], f'{total:.1f}', f'{data:.1f}', f'{score:.1f}',
             f'{mean(row, "score_data_time"):.1f}', f'{select:.2f}',
             f'{total - data - score - select:.1f}',
             '-' if ratio is None else f'{ratio[0]:.2f}x ± {ratio[1]:.2f}'))
    base = summary.get('baseline') or 'baseline'
    return markdown_table(
        ('Run', 'Training time (s)', 'Training data wait', 'Scoring',
         'Scoring data wait', 'Selection', 'Training compute',
         f'Scoring round / {base} epoch'), rows)
