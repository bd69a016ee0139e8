"""Plots that compare runs: top-1 accuracy against training time (one
run's curve or a benchmark's mean curves over seeds), the accuracy-time
frontier of a benchmark and the selection ratio sweep.

They draw what :func:`mmsakd.utils.logs.read_results` reads from a demo or
benchmark ``results.json``, or the summaries of
:func:`mmsakd.apis.benchmark.aggregate` and of ``run_experiment``.
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np

from mmsakd.utils.logs import benchmark_runs
from .figure import new_figure, palette, save_figure

ACCURACY_PNG = 'accuracy_vs_time.png'

ACCURACY_FIGSIZE = (8.0, 5.0)  # 800 x 500 pixels
FRONTIER_FIGSIZE = (13.0, 6.0)  # 1300 x 600 pixels
RATIO_SWEEP_FIGSIZE = (12.0, 5.0)  # 1200 x 500 pixels

#: Above this many seconds the time axis is in minutes.
MINUTES_ABOVE = 600.0


def plot_accuracy_vs_time(runs: Sequence[dict],
                          out_file: str,
                          title: Optional[str] = None) -> str:
    """Top-1 accuracy against cumulative training time, one line per run.

    Each run is drawn from its ``curve`` (points with ``train_time`` and
    ``top1``; points whose ``top1`` is null are skipped), with a marker at
    each validated epoch; a run without curve is one point
    (``train_time``, ``top1``). Where every point of a curve has
    ``top1_std`` (a mean curve over seeds, see
    :func:`mmsakd.apis.benchmark.mean_curve`), the band ``top1 +- top1_std``
    is shaded. The last point is labelled with the run's
    ``label`` (or ``name``), its top-1 and, when given, ``rel_time``. The
    time axis is in seconds, or in minutes when a run exceeds 600 s. The
    PNG is 800 x 500 pixels.

    Args:
        runs (Sequence[dict]): Runs of a demo ``results.json``.
        out_file (str): Output PNG; missing folders are created.
        title (str, optional): Title; None for a default one.

    Returns:
        str: ``out_file``.
    """
    if not runs:
        raise ValueError('plot_accuracy_vs_time: no run to plot')
    lines = []
    for i, run in enumerate(runs):
        if not isinstance(run, dict):
            raise ValueError(f'run {i}: expected an object, got '
                             f'{type(run).__name__}')
        label = str(run.get('label') or run.get('name') or f'run {i}')
        times, top1 = _curve_points(run, label)
        lines.append((label, times, top1, run))
    max_time = max(float(t.max()) for _, t, _, _ in lines)
    minutes = max_time > MINUTES_ABOVE
    scale = 60.0 if minutes else 1.0

    fig = new_figure(ACCURACY_FIGSIZE)
    ax = fig.add_subplot()
    colors = palette(len(lines))
    ends = []
    for (label, times, top1, run), color in zip(lines, colors):
        ax.plot(
            times / scale,
            top1,
            marker='o',
            markersize=4,
            color=color,
            label=label)
        std = _curve_std(run)
        if std is not None and len(std) == len(top1):
            ax.fill_between(
                times / scale,
                top1 - std,
                top1 + std,
                color=color,
                alpha=0.15,
                linewidth=0)
        text = f'{label}: {top1[-1]:.1f}%'
        rel_time = run.get('rel_time')
        if isinstance(rel_time,
                      (int, float)) and not isinstance(rel_time, bool):
            text += f' ({rel_time:.2f}x time)'
        ends.append((times[-1] / scale, float(top1[-1]), text, color))

    all_top1 = np.concatenate([t for _, _, t, _ in lines])
    low, high = float(all_top1.min()), float(all_top1.max())
    span = max(high - low, 1.0)
    ax.set_ylim(low - 0.08 * span, high + 0.08 * span)
    label_y = _spread([y for _, y, _, _ in ends], 0.06 * span)
    for (x, y, text, color), y_text in zip(ends, label_y):
        ax.annotate(
            text,
            xy=(x, y),
            xytext=(8, y_text),
            textcoords=('offset points', 'data'),
            va='center',
            fontsize=8,
            color=color,
            annotation_clip=False,
            zorder=5,
            bbox=dict(
                boxstyle='round,pad=0.15', fc='white', ec='none', alpha=0.85),
            arrowprops=dict(arrowstyle='-', color=color, lw=0.6))
    # Room on the right for the labels: a label of ``n`` characters in
    # 8 pt type spans about 4.9 n points of the ~510 pt wide axes.
    x_high = 0.0
    for x, _, text, _ in ends:
        width = min((12 + 4.9 * len(text)) / 510, 0.6)
        x_high = max(x_high, x / (0.98 - width))
    ax.set_xlim(0, x_high if x_high > 0 else 1)
    ax.set_xlabel('cumulative training time '
                  f'({"min" if minutes else "s"})')
    ax.set_ylabel('top-1 accuracy (%)')
    ax.set_title(title or 'Top-1 accuracy vs. training time')
    ax.grid(alpha=0.3)
    return save_figure(fig, out_file)


def plot_benchmark(summary: dict,
                   out_file: str,
                   title: Optional[str] = None) -> str:
    """Mean top-1 against mean training time of every run of a benchmark
    summary (:func:`mmsakd.apis.benchmark.aggregate`), the spread over
    seeds (± one std) as a band; see :func:`plot_accuracy_vs_time`.

    Args:
        summary (dict): With ``rows``, each with ``label``, ``curve`` and
            ``rel_time``.
        out_file (str): Output PNG; missing folders are created.
        title (str, optional): Title; None for a default one.

    Returns:
        str: ``out_file``.
    """
    return plot_accuracy_vs_time(benchmark_runs(summary), out_file, title)


def plot_frontier(summary: dict,
                  out_file: str,
                  title: Optional[str] = None,
                  max_time: Optional[float] = 0.4,
                  tolerance: Optional[float] = 0.5) -> str:
    """Final top-1 against training time relative to the baseline, one
    point per run of a benchmark summary
    (:func:`mmsakd.apis.benchmark.aggregate`), with ± one std over seeds in
    both directions; the points that no other run beats in both accuracy
    and time (the frontier) are joined.

    Args:
        summary (dict): With ``baseline`` and ``rows``, each with
            ``label``, ``top1`` and ``rel_time`` as ``(mean, std)``.
        out_file (str): Output PNG; missing folders are created.
        title (str, optional): Title; None for a default one.
        max_time (float, optional): A time budget drawn as a vertical line
            (0.4: 0.4x the baseline's time); None draws none.
            Defaults to 0.4.
        tolerance (float, optional): Points below the baseline's mean
            top-1 drawn as a horizontal line; None draws none.
            Defaults to 0.5.

    Returns:
        str: ``out_file``.
    """
    rows = [r for r in summary['rows'] if r.get('top1') and r.get('rel_time')]
    if not rows:
        raise ValueError('the summary has no run with a top-1 and a time '
                         'ratio to plot')
    fig = new_figure(FRONTIER_FIGSIZE)
    ax = fig.add_subplot()
    x = np.array([r['rel_time'][0] for r in rows])
    y = np.array([r['top1'][0] for r in rows])
    for row, color in zip(rows, palette(len(rows))):
        ax.errorbar(
            row['rel_time'][0],
            row['top1'][0],
            xerr=row['rel_time'][1],
            yerr=row['top1'][1],
            fmt='o',
            color=color,
            capsize=3,
            label=row.get('label') or row['run'])
    front = frontier_indices(x, y)
    ax.plot(x[front], y[front], '--', color='0.5', lw=1, zorder=0)
    base = summary.get('baseline')
    base_row = next((r for r in rows if r['run'] == base), None)
    if base_row is not None and tolerance is not None:
        ax.axhline(
            base_row['top1'][0] - tolerance,
            color='0.3',
            ls=':',
            lw=1,
            label=f'{base} top-1 - {tolerance:g}')
    if max_time is not None:
        ax.axvline(
            max_time,
            color='0.3',
            ls='-.',
            lw=1,
            label=f'{max_time:g}x {base or "baseline"} time')
    ax.set_xlabel(f'training time / {base or "baseline"} (per-seed ratio)')
    ax.set_ylabel('final top-1 (%)')
    ax.set_title(title or 'Accuracy-time frontier (mean ± std over seeds)')
    ax.grid(alpha=0.3)
    # Outside the axes: the points fill the lower left.
    ax.legend(fontsize=7, loc='upper left', bbox_to_anchor=(1.01, 1.0))
    return save_figure(fig, out_file)


def frontier_indices(times: Sequence[float],
                     accuracies: Sequence[float]) -> List[int]:
    """The points no other point beats: none is at least as fast and more
    accurate, or faster and at least as accurate.

    Args:
        times (Sequence[float]): Time of each point, lower is better.
        accuracies (Sequence[float]): Accuracy of each point, higher is
            better.

    Returns:
        list[int]: Indices of the frontier, by increasing time.
    """
    x, y = list(times), list(accuracies)
    if len(x) != len(y):
        raise ValueError('times and accuracies must have the same length, '
                         f'got {len(x)} and {len(y)}')
    front = [
        i for i in range(len(x)) if not any(
            (x[j] <= x[i] and y[j] > y[i]) or (x[j] < x[i] and y[j] >= y[i])
            for j in range(len(x)))
    ]
    return sorted(front, key=lambda i: x[i])


def plot_ratio_sweep(points: Sequence[dict],
                     out_file: str,
                     vanilla: Optional[dict] = None,
                     title: Optional[str] = None) -> str:
    """Top-1 accuracy and training time against the selection ratio ``r``
    (the paper's Fig. 3), side by side.

    Args:
        points (Sequence[dict]): One per ratio, with ``ratio``, ``top1``
            (percent) and ``train_time`` (s).
        out_file (str): Output PNG (1200 x 500 pixels); missing folders are
            created.
        vanilla (dict, optional): The vanilla KD run (``top1``,
            ``train_time``), drawn as horizontal reference lines.
            Defaults to None.
        title (str, optional): Figure title. Defaults to None.

    Returns:
        str: ``out_file``.
    """
    if not points:
        raise ValueError('plot_ratio_sweep: no point to plot')
    for i, point in enumerate(points):
        missing = [
            k for k in ('ratio', 'top1', 'train_time')
            if not isinstance(point.get(k), (int, float))
        ]
        if missing:
            raise ValueError(f'point {i}: missing or non-numeric {missing}')
    points = sorted(points, key=lambda p: p['ratio'])
    ratios = np.array([p['ratio'] for p in points], dtype=float)
    fig = new_figure(RATIO_SWEEP_FIGSIZE)
    axes = fig.subplots(1, 2)
    for ax, key, label in ((axes[0], 'top1', 'top-1 accuracy (%)'),
                           (axes[1], 'train_time', 'training time (s)')):
        values = np.array([p[key] for p in points], dtype=float)
        ax.plot(ratios, values, marker='o', label='SAKD')
        for x, y in zip(ratios, values):
            ax.annotate(
                f'{y:.1f}' if key == 'top1' else f'{y:.0f}',
                xy=(x, y),
                xytext=(0, 6),
                textcoords='offset points',
                ha='center',
                fontsize=8)
        if vanilla is not None and isinstance(vanilla.get(key), (int, float)):
            ax.axhline(
                vanilla[key],
                color='gray',
                linestyle='--',
                label=f'vanilla KD ({vanilla[key]:.1f})')
        ax.set_xscale('log')
        ax.set_xticks(ratios)
        ax.set_xticklabels([f'{r:g}' for r in ratios])
        ax.set_xlabel('selection ratio r')
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title or 'SAKD: accuracy and training time vs. r')
    return save_figure(fig, out_file)


def _curve_points(run: dict, label: str) -> Tuple[np.ndarray, np.ndarray]:
    """Training times and top-1 of a run's validated epochs."""
    curve = run.get('curve') or []
    if not isinstance(curve, list):
        raise ValueError(f'run "{label}": "curve" must be a list')
    points = []
    for j, point in enumerate(curve):
        if not isinstance(point, dict):
            raise ValueError(f'run "{label}": curve point {j} must be an '
                             'object')
        if point.get('top1') is None:
            continue
        if point.get('train_time') is None:
            raise ValueError(f'run "{label}": curve point {j} has top1 but '
                             'no train_time')
        points.append((float(point['train_time']), float(point['top1'])))
    if not points and run.get('top1') is not None and run.get(
            'train_time') is not None:
        points.append((float(run['train_time']), float(run['top1'])))
    if not points:
        raise ValueError(f'run "{label}": no point with train_time and top1')
    points.sort()
    times, top1 = (np.array(v) for v in zip(*points))
    return times, top1


def _curve_std(run: dict) -> Optional[np.ndarray]:
    """The ``top1_std`` of a run's validated points in time order, or None
    unless every one has it."""
    points = [
        p for p in run.get('curve') or []
        if isinstance(p, dict) and p.get('top1') is not None
    ]
    if not points or any(p.get('top1_std') is None for p in points):
        return None
    points.sort(key=lambda p: float(p['train_time']))
    return np.array([float(p['top1_std']) for p in points])


def _spread(values: Sequence[float], gap: float) -> List[float]:
    """Positions near ``values``, at least ``gap`` apart, same order."""
    order = np.argsort(values, kind='stable')
    placed = np.asarray(values, dtype=np.float64)[order].copy()
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    # Centre the shifted block back on the original values.
    placed -= (placed - np.asarray(values)[order]).mean()
    out = np.empty_like(placed)
    out[order] = placed
    return out.tolist()
