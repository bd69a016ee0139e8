"""Plots of one SAKD run's selection rounds: the per-round distribution
of the distillation strength ``alpha`` and how often each class and sample
was selected.

They draw the records of ``sakd_rounds.jsonl``, the file that
:class:`~mmsakd.engine.hooks.SAKDHook` appends one JSON object to per
selection round, as :func:`mmsakd.utils.logs.read_sakd_rounds` reads them.
"""
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import MaxNLocator

from mmsakd.utils.logs import read_sakd_rounds
from .figure import new_figure, save_figure

ALPHA_PNG = 'sakd_alpha.png'
SELECTION_PNG = 'sakd_selection.png'

ALPHA_FIGSIZE = (9.0, 5.0)  # 900 x 500 pixels
SELECTION_FIGSIZE = (12.0, 5.0)  # 1200 x 500 pixels


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
        rounds (Sequence[dict]): Records of
            :func:`~mmsakd.utils.logs.read_sakd_rounds`.
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


def plot_alpha_distribution(rounds: Sequence[dict], out_file: str) -> str:
    """Distribution of the distillation strength ``alpha`` per round.

    A heatmap (x: selection round, labelled with the 1-based epoch it
    precedes; y: the ten ``alpha_hist`` bins of width 0.1; colour: share of
    all training samples in the bin, log scale, blank for none) overlaid
    with the mean, min and max of ``alpha``. The PNG is 900 x 500 pixels.

    Args:
        rounds (Sequence[dict]): Records of
            :func:`~mmsakd.utils.logs.read_sakd_rounds`.
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

    fig = new_figure(ALPHA_FIGSIZE)
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
    return save_figure(fig, out_file)


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
        rounds (Sequence[dict]): Records of
            :func:`~mmsakd.utils.logs.read_sakd_rounds`.
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

    fig = new_figure(SELECTION_FIGSIZE)
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
    return save_figure(fig, out_file)


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
    rounds = read_sakd_rounds(work_dir)
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


def _random_selection_counts(sizes: Sequence[int],
                             num_samples: int) -> np.ndarray:
    """Expected number of samples selected ``k`` times when every round
    draws a uniformly random subset of the given size (Poisson binomial)."""
    dist = np.ones(1)
    for size in sizes:
        p = min(size / max(num_samples, 1), 1.0)
        dist = np.convolve(dist, [1.0 - p, p])
    return num_samples * dist


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
