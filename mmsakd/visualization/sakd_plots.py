"""Plots of SAKD runs: accuracy vs. training time, the per-round
distribution of the distillation strength ``alpha`` and how often each class
and sample was selected.

The round-based plots read ``sakd_rounds.jsonl``, the file
:class:`~mmsakd.engine.hooks.SAKDHook` appends one JSON object to per
selection round. The accuracy plot reads the ``runs`` of a demo
``results.json``.

Everything here is headless: figures are plain :class:`matplotlib.figure.
Figure` objects rendered by the Agg canvas, so neither ``pyplot`` nor the
global backend or style is touched. Importing this module does not import
torch.
"""
import json
import os
import os.path as osp
import sys
from typing import List, Optional, Sequence, Tuple

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

ROUNDS_FILE = 'sakd_rounds.jsonl'
ALPHA_PNG = 'sakd_alpha.png'
SELECTION_PNG = 'sakd_selection.png'
ACCURACY_PNG = 'accuracy_vs_time.png'

#: Resolution of every PNG; the sizes below are in inches.
DPI = 100
ACCURACY_FIGSIZE = (8.0, 5.0)  # 800 x 500 pixels
ALPHA_FIGSIZE = (9.0, 5.0)  # 900 x 500 pixels
SELECTION_FIGSIZE = (12.0, 5.0)  # 1200 x 500 pixels
FRONTIER_FIGSIZE = (13.0, 6.0)  # 1300 x 600 pixels

#: Above this many seconds the time axis is in minutes.
MINUTES_ABOVE = 600.0


def _json_lines():
    """``mmsakd.utils.json_lines``, loaded from its file: importing the
    ``mmsakd`` package would import torch, which the plots do without."""
    import importlib.util
    name = 'mmsakd.utils.json_lines'
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        '_mmsakd_json_lines',
        osp.join(
            osp.dirname(osp.dirname(osp.abspath(__file__))), 'utils',
            'json_lines.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_rounds(path: str) -> List[dict]:
    """Read the selection rounds that ``SAKDHook`` logged.

    A resumed (or restarted) run appends to the same file, so a ``round``
    number may come again. A record with round ``k`` supersedes every
    earlier record with round ``>= k``: the last occurrence of each round is
    kept, and rounds of an abandoned trajectory that the new one has not
    reached yet are dropped.

    Args:
        path (str): A ``sakd_rounds.jsonl`` file or a work dir holding one.

    Returns:
        list[dict]: One record per round, in increasing ``round`` order.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If the file holds no record, or a line is not a JSON
            object with a positive integer ``round`` (the message names the
            file and the line number).
    """
    if osp.isdir(path):
        path = osp.join(path, ROUNDS_FILE)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path}: no such file (SAKDHook writes {ROUNDS_FILE} into the '
            'work dir of a SAKD run)')
    iter_json_lines = _json_lines().iter_json_lines

    records: List[dict] = []
    # A torn last line (a kill mid-write) is left out.
    for lineno, record in iter_json_lines(path):
        if not isinstance(record, dict):
            raise ValueError(f'{path}, line {lineno}: expected a JSON '
                             f'object, got {type(record).__name__}')
        number = record.get('round')
        if (isinstance(number, bool) or not isinstance(number, int)
                or number < 1):
            raise ValueError(
                f'{path}, line {lineno}: "round" must be a positive '
                f'integer, got {number!r}')
        while records and records[-1]['round'] >= number:
            records.pop()
        records.append(record)
    if not records:
        raise ValueError(f'{path}: the file holds no selection round')
    return records


def load_results(path: str) -> List[dict]:
    """Read the runs of a ``results.json``.

    Args:
        path (str): A JSON file ``{"settings": ..., "runs": [...]}``, or
            the ``results.json`` of ``tools/analysis/benchmark_sakd.py``
            and the demo, whose ``summary.rows`` become runs with their
            mean curves over seeds (see :func:`plot_benchmark`).

    Returns:
        list[dict]: Its runs, as written.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it is not valid JSON or has neither a non-empty
            ``runs`` list nor ``summary.rows``.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such file')
    with open(path, encoding='utf-8') as f:
        try:
            results = json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f'{path}: malformed JSON ({err.msg}, line '
                             f'{err.lineno}, column {err.colno})') from None
    runs = results.get('runs') if isinstance(results, dict) else None
    summary = results.get('summary') if isinstance(results, dict) else None
    if runs is None and isinstance(summary, dict) and isinstance(
            summary.get('rows'), list) and summary['rows']:
        runs = _benchmark_runs(summary)
    if not isinstance(runs, list) or not runs:
        raise ValueError(f'{path}: expected an object with a non-empty '
                         '"runs" list or "summary.rows"')
    return runs


def selection_counts(
    rounds: Sequence[dict],
    num_samples: Optional[int] = None,
    num_classes: Optional[int] = None,
    labels: Optional[Sequence[int]] = None
) -> Tuple[Optional[np.ndarray], np.ndarray]:
    """How often each class and each sample was selected, over all rounds.

    Class labels come from the rounds' ``selected_labels``; only when a round
    lacks them (logs of an older hook) from ``labels``.

    Args:
        rounds (Sequence[dict]): Records of :func:`load_rounds`.
        num_samples (int, optional): Size of the training set; None takes
            the largest ``num_samples`` of the rounds. Defaults to None.
        num_classes (int, optional): Number of classes; None takes the
            largest ``num_classes`` of the rounds (or label + 1).
            Defaults to None.
        labels (Sequence[int], optional): Class of every training sample, in
            dataset order. Defaults to None.

    Returns:
        tuple[np.ndarray | None, np.ndarray]: ``per_class`` (shape
        ``(num_classes,)``; None when no label is known) and ``per_sample``
        (shape ``(num_samples,)``), both integer counts.
    """
    _check_rounds(rounds, ('selected', ))
    selected = []
    for record in rounds:
        indices = np.asarray(record['selected'], dtype=np.int64).reshape(-1)
        if indices.size and indices.min() < 0:
            raise ValueError(f'round {record["round"]}: negative index in '
                             '"selected"')
        selected.append(indices)
    flat = np.concatenate(selected)
    if num_samples is None:
        num_samples = max(int(r.get('num_samples', 0)) for r in rounds)
        num_samples = max(num_samples, int(flat.max()) + 1 if flat.size else 0)
    if flat.size and flat.max() >= num_samples:
        raise ValueError(f'selected index {int(flat.max())} out of range for '
                         f'{num_samples} samples')
    per_sample = np.bincount(flat, minlength=num_samples)

    if all('selected_labels' in r for r in rounds):
        chosen = []
        for record, indices in zip(rounds, selected):
            round_labels = np.asarray(
                record['selected_labels'], dtype=np.int64).reshape(-1)
            if len(round_labels) != len(indices):
                raise ValueError(
                    f'round {record["round"]}: {len(round_labels)} '
                    f'selected_labels for {len(indices)} selected indices')
            chosen.append(round_labels)
        chosen = np.concatenate(chosen)
    elif labels is not None:
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        if len(labels) < num_samples:
            raise ValueError(f'{len(labels)} labels for {num_samples} '
                             'samples')
        chosen = labels[flat]
    else:
        return None, per_sample
    if chosen.size and chosen.min() < 0:
        raise ValueError('negative class label')
    largest = int(chosen.max()) + 1 if chosen.size else 0
    if num_classes is None:
        num_classes = max(
            max(int(r.get('num_classes', 0)) for r in rounds), largest)
    elif largest > num_classes:
        raise ValueError(f'class label {largest - 1} out of range for '
                         f'{num_classes} classes')
    per_class = np.bincount(chosen, minlength=num_classes)
    return per_class, per_sample


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

    fig = Figure(figsize=ACCURACY_FIGSIZE, dpi=DPI, layout='constrained')
    ax = fig.add_subplot()
    colors = _colors(len(lines))
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
    return _save(fig, out_file)


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
    fig = Figure(figsize=SELECTION_FIGSIZE, dpi=DPI, layout='constrained')
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
    return _save(fig, out_file)


def plot_alpha_distribution(rounds: Sequence[dict], out_file: str) -> str:
    """Distribution of the distillation strength ``alpha`` per round.

    A heatmap (x: selection round, labelled with the 1-based epoch it
    precedes; y: the ten ``alpha_hist`` bins of width 0.1; colour: share of
    all training samples in the bin, log scale, blank for none) overlaid
    with the mean, min and max of ``alpha``. The PNG is 900 x 500 pixels.

    Args:
        rounds (Sequence[dict]): Records of :func:`load_rounds`.
        out_file (str): Output PNG; missing folders are created.

    Returns:
        str: ``out_file``.
    """
    _check_rounds(rounds,
                  ('alpha_hist', 'alpha_mean', 'alpha_min', 'alpha_max'))
    hist = []
    for record in rounds:
        counts = np.asarray(record['alpha_hist'], dtype=np.float64)
        if counts.ndim != 1 or counts.size == 0 or (counts < 0).any():
            raise ValueError(f'round {record["round"]}: "alpha_hist" must be '
                             'a non-empty list of counts')
        if hist and counts.size != hist[0].size:
            raise ValueError(f'round {record["round"]}: {counts.size} '
                             f'alpha_hist bins, expected {hist[0].size}')
        hist.append(counts)
    hist = np.stack(hist)  # (R, bins)
    totals = hist.sum(axis=1, keepdims=True)
    share = np.divide(hist, totals, out=np.zeros_like(hist), where=totals > 0)
    num_rounds, num_bins = hist.shape
    x = np.arange(num_rounds)
    smallest = 1.0 / max(float(totals.max()), 1.0)

    fig = Figure(figsize=ALPHA_FIGSIZE, dpi=DPI, layout='constrained')
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(
        np.arange(num_rounds + 1) - 0.5,
        np.linspace(0.0, 1.0, num_bins + 1),
        np.ma.masked_less_equal(share.T, 0.0),
        norm=LogNorm(vmin=min(smallest, 0.1), vmax=1.0),
        cmap='viridis')
    colorbar = fig.colorbar(mesh, ax=ax, pad=0.02)
    colorbar.set_label('share of samples in the bin (blank: none)')
    for key, style, name in (('alpha_max', '--', 'max'),
                             ('alpha_mean', '-', 'mean'), ('alpha_min', ':',
                                                           'min')):
        values = [float(r[key]) for r in rounds]
        ax.plot(
            x,
            values,
            style,
            color='tab:red',
            marker='.',
            lw=1.5,
            label=f'{name} alpha')
    ax.set_xlim(-0.5, num_rounds - 0.5)
    ax.set_ylim(0.0, 1.0)
    ticks = _thin(x, 15)
    ax.set_xticks(ticks)
    ax.set_xticklabels([
        f'{rounds[i]["round"]}\nep {int(rounds[i].get("epoch", -1)) + 1}'
        if 'epoch' in rounds[i] else str(rounds[i]['round']) for i in ticks
    ])
    ax.set_xlabel('selection round / epoch it precedes')
    ax.set_ylabel('distillation strength alpha')
    num_samples = int(totals.max())
    ax.set_title(f'SAKD alpha per round ({num_samples} samples, '
                 f'{num_rounds} rounds)')
    ax.legend(loc='upper left', fontsize=8, framealpha=0.8)
    return _save(fig, out_file)


def plot_selection_counts(rounds: Sequence[dict],
                          out_file: str,
                          num_samples: Optional[int] = None,
                          class_names: Optional[Sequence[str]] = None,
                          labels: Optional[Sequence[int]] = None) -> str:
    """How often each class and each sample was selected, over all rounds.

    Left: selections per class (summed over rounds), with the uniform
    expectation (total / number of classes) as a reference line. Right: the
    number of samples selected ``0, 1, 2, ...`` times, with the expectation
    under uniformly random subsets of the same sizes. Titles state the
    totals. The PNG is 1200 x 500 pixels.

    Args:
        rounds (Sequence[dict]): Records of :func:`load_rounds`.
        out_file (str): Output PNG; missing folders are created.
        num_samples (int, optional): Size of the training set; see
            :func:`selection_counts`. Defaults to None.
        class_names (Sequence[str], optional): One name per class, for the
            tick labels (at least as many as classes in the log).
            Defaults to None.
        labels (Sequence[int], optional): Class of every training sample,
            used only when the rounds lack ``selected_labels``.
            Defaults to None.

    Returns:
        str: ``out_file``.
    """
    per_class, per_sample = selection_counts(
        rounds, num_samples, labels=labels)
    if class_names is not None and per_class is not None:
        if len(class_names) < len(per_class):
            raise ValueError(f'{len(class_names)} class names for '
                             f'{len(per_class)} classes')
        # Trailing classes without any sample are unknown to the log.
        per_class = np.pad(per_class, (0, len(class_names) - len(per_class)))
    num_rounds = len(rounds)
    total = int(per_sample.sum())

    fig = Figure(figsize=SELECTION_FIGSIZE, dpi=DPI, layout='constrained')
    ax_class, ax_sample = fig.subplots(1, 2)
    if per_class is None:
        ax_class.axis('off')
        ax_class.text(
            0.5,
            0.5, 'no class labels: the rounds lack "selected_labels"\n'
            '(logged by an older SAKDHook); pass labels to plot them',
            ha='center',
            va='center',
            transform=ax_class.transAxes)
    else:
        classes = np.arange(len(per_class))
        ax_class.bar(classes, per_class, color='tab:blue', width=0.8)
        uniform = total / max(len(per_class), 1)
        ax_class.axhline(
            uniform,
            color='black',
            ls='--',
            lw=1,
            label=f'uniform: {uniform:.1f} per class')
        if class_names is not None and len(per_class) <= 40:
            ax_class.set_xticks(classes)
            ax_class.set_xticklabels(
                class_names, rotation=45, ha='right', fontsize=8)
        else:
            ax_class.xaxis.set_major_locator(MaxNLocator(integer=True))
        covered = int((per_class > 0).sum())
        ax_class.set_xlabel('class')
        ax_class.set_ylabel('times selected (all rounds)')
        ax_class.set_title(f'Per class: {total} selections in {num_rounds} '
                           f'rounds, {covered}/{len(per_class)} classes')
        ax_class.legend(loc='lower right', fontsize=8)

    times = np.bincount(per_sample, minlength=num_rounds + 1)
    ks = np.arange(len(times))
    ax_sample.bar(ks, times, color='tab:green', width=0.8, label='samples')
    expected = _random_selection_counts([len(r['selected']) for r in rounds],
                                        len(per_sample))
    ax_sample.plot(
        np.arange(len(expected)),
        expected,
        'k.--',
        lw=1,
        label='random subsets of the same sizes')
    ax_sample.set_xlim(-0.6, max(len(times), len(expected)) - 0.4)
    ax_sample.xaxis.set_major_locator(MaxNLocator(integer=True))
    never = int(times[0])
    share = 100.0 * never / max(len(per_sample), 1)
    ax_sample.set_xlabel(f'times selected (out of {num_rounds} rounds)')
    ax_sample.set_ylabel('number of samples')
    ax_sample.set_title(f'Per sample: {len(per_sample)} samples, never '
                        f'selected {never} ({share:.1f}%)')
    ax_sample.legend(loc='upper right', fontsize=8)
    return _save(fig, out_file)


def plot_run(work_dir: str,
             out_dir: Optional[str] = None,
             class_names: Optional[Sequence[str]] = None,
             labels: Optional[Sequence[int]] = None,
             prefix: str = '') -> List[str]:
    """The round-based plots of one SAKD work dir.

    Writes ``sakd_alpha.png`` (:func:`plot_alpha_distribution`) and
    ``sakd_selection.png`` (:func:`plot_selection_counts`).

    Args:
        work_dir (str): Work dir of a SAKD run (or its
            ``sakd_rounds.jsonl``).
        out_dir (str, optional): Output folder; None for the work dir.
            Defaults to None.
        class_names (Sequence[str], optional): See
            :func:`plot_selection_counts`. Defaults to None.
        labels (Sequence[int], optional): See :func:`plot_selection_counts`.
            Defaults to None.
        prefix (str): Prefix of the file names. Defaults to ''.

    Returns:
        list[str]: The written paths.
    """
    rounds = load_rounds(work_dir)
    if out_dir is None:
        out_dir = work_dir if osp.isdir(work_dir) else osp.dirname(work_dir)
    return [
        plot_alpha_distribution(rounds, osp.join(out_dir, prefix + ALPHA_PNG)),
        plot_selection_counts(
            rounds,
            osp.join(out_dir, prefix + SELECTION_PNG),
            class_names=class_names,
            labels=labels),
    ]


def _check_rounds(rounds: Sequence[dict], keys: Sequence[str]) -> None:
    """Raise a ValueError naming the round and key if one is missing."""
    if not rounds:
        raise ValueError('no selection round to plot')
    for i, record in enumerate(rounds):
        if not isinstance(record, dict):
            raise ValueError(f'round record {i}: expected a dict, got '
                             f'{type(record).__name__}')
        for key in keys:
            if key not in record:
                raise ValueError(f'round {record.get("round", i + 1)}: '
                                 f'missing key "{key}"')


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
    return plot_accuracy_vs_time(_benchmark_runs(summary), out_file, title)


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
    fig = Figure(figsize=FRONTIER_FIGSIZE, dpi=DPI, layout='constrained')
    ax = fig.add_subplot()
    x = np.array([r['rel_time'][0] for r in rows])
    y = np.array([r['top1'][0] for r in rows])
    for row, color in zip(rows, _colors(len(rows))):
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
    return _save(fig, out_file)


def _benchmark_runs(summary: dict) -> List[dict]:
    """The rows of a benchmark summary as runs of
    :func:`plot_accuracy_vs_time`: label, mean curve, mean time ratio."""
    return [
        dict(
            label=row.get('label') or row.get('run'),
            curve=row.get('curve'),
            rel_time=None if not row.get('rel_time') else row['rel_time'][0])
        for row in summary['rows']
    ]


def _random_selection_counts(sizes: Sequence[int],
                             num_samples: int) -> np.ndarray:
    """Expected number of samples selected ``k`` times when every round
    draws a uniformly random subset of the given size (Poisson binomial)."""
    dist = np.ones(1)
    for size in sizes:
        p = min(size / max(num_samples, 1), 1.0)
        dist = np.convolve(dist, [1.0 - p, p])
    return num_samples * dist


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


def _thin(x: np.ndarray, most: int) -> List[int]:
    """At most about ``most`` evenly spaced indices of ``x``, last kept."""
    step = max(1, int(np.ceil(len(x) / most)))
    ticks = list(range(0, len(x), step))
    if ticks[-1] != len(x) - 1:
        if len(x) - 1 - ticks[-1] < step / 2:
            ticks[-1] = len(x) - 1
        else:
            ticks.append(len(x) - 1)
    return ticks


def _colors(n: int) -> List[tuple]:
    """``n`` distinct colours (tab10, then tab20)."""
    from matplotlib import colormaps
    cmap = colormaps['tab10' if n <= 10 else 'tab20']
    return [cmap(i % cmap.N) for i in range(n)]


def _save(fig: Figure, out_file: str) -> str:
    """Write ``fig`` as PNG to ``out_file`` and release it."""
    folder = osp.dirname(out_file)
    if folder:
        os.makedirs(folder, exist_ok=True)
    try:
        fig.savefig(out_file, dpi=DPI, format='png')
    finally:
        fig.clear()
    return out_file
