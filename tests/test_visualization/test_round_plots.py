"""The plots of one run's selection rounds, against counts taken from the
rounds another way."""
import math
import os.path as osp
from collections import Counter

import numpy as np
import pytest
from figures import bar_heights, line_data, png_size, record_figures, texts

from mmsakd.utils import append_json_line
from mmsakd.visualization import (plot_alpha_distribution, plot_run,
                                  plot_selection_counts, selection_counts)
from mmsakd.visualization.round_plots import _random_selection_counts

NUM_SAMPLES, NUM_CLASSES, SUBSET = 30, 4, 7
LABELS = [(3 * i + i // 5) % NUM_CLASSES for i in range(NUM_SAMPLES)]


def make_round(number, seed, labels=True):
    """A record shaped like the one ``SAKDHook._log_round`` writes."""
    rng = np.random.default_rng(seed)
    selected = rng.choice(NUM_SAMPLES, SUBSET, replace=False).tolist()
    alpha = rng.uniform(0, 0.1 * number, NUM_SAMPLES)
    record = dict(
        epoch=number - 1,
        round=number,
        interruption_rate=0.1 * number,
        interruption='dropout',
        score_time=1.0,
        select_time=0.01,
        subset_size=SUBSET,
        num_samples=NUM_SAMPLES,
        alpha_mean=float(alpha.mean()),
        alpha_min=float(alpha.min()),
        alpha_max=float(alpha.max()),
        never_selected=0.5,
        classes_covered=NUM_CLASSES,
        num_classes=NUM_CLASSES,
        alpha_hist=np.histogram(alpha, bins=10, range=(0., 1.))[0].tolist(),
        selected=selected)
    if labels:
        record['selected_labels'] = [LABELS[i] for i in selected]
    return record


def test_selection_counts_match_counter():
    records = [make_round(n, n) for n in range(1, 6)]
    rounds = records
    per_class, per_sample = selection_counts(rounds, NUM_SAMPLES, NUM_CLASSES)
    by_sample = Counter(i for r in records for i in r['selected'])
    by_class = Counter(LABELS[i] for r in records for i in r['selected'])
    assert per_sample.tolist() == [by_sample[i] for i in range(NUM_SAMPLES)]
    assert per_class.tolist() == [by_class[c] for c in range(NUM_CLASSES)]
    assert per_sample.sum() == per_class.sum() == 5 * SUBSET

    # Defaults come from the records.
    per_class2, per_sample2 = selection_counts(rounds)
    assert per_class2.tolist() == per_class.tolist()
    assert per_sample2.tolist() == per_sample.tolist()

    # Logs of an older hook: no class unless the labels are given.
    old = [make_round(n, n, labels=False) for n in range(1, 6)]
    no_class, per_sample3 = selection_counts(old)
    assert no_class is None
    assert per_sample3.tolist() == per_sample.tolist()
    per_class4, _ = selection_counts(old, labels=LABELS)
    assert per_class4.tolist() == per_class.tolist()


def test_selection_counts_errors():
    record = make_round(1, 1)
    with pytest.raises(ValueError, match='no selection round'):
        selection_counts([])
    with pytest.raises(ValueError, match='out of range'):
        selection_counts([record], num_samples=3)
    with pytest.raises(ValueError, match='out of range'):
        selection_counts([record], num_classes=1)
    broken = dict(record, selected_labels=[0])
    with pytest.raises(ValueError, match='round 1: 1 selected_labels'):
        selection_counts([broken])
    with pytest.raises(ValueError, match='round 1: missing key "selected"'):
        selection_counts([{'round': 1}])


def test_random_selection_expectation():
    expected = _random_selection_counts([5, 5, 10], 10)
    assert expected.sum() == pytest.approx(10)
    # Every sample is in the last (full) subset: at least one selection.
    assert expected[0] == pytest.approx(0)
    assert expected[1] == pytest.approx(10 * 0.5 * 0.5)


def test_alpha_plot_draws_the_logged_strengths(tmp_path, monkeypatch):
    figures = record_figures(monkeypatch)
    rounds = [make_round(n, n) for n in range(1, 6)]
    out = plot_alpha_distribution(rounds, str(tmp_path / 'a' / 'alpha.png'))
    assert out == str(tmp_path / 'a' / 'alpha.png')
    assert png_size(out) == (900, 500)
    [figure] = figures
    ax = figure.axes[0]
    assert line_data(ax) == {
        f'{name} alpha': ([0., 1., 2., 3.,
                           4.], [r[f'alpha_{name}'] for r in rounds])
        for name in ('max', 'mean', 'min')
    }
    # Colour: the share of the samples in each bin of each round, blank
    # for an empty bin.
    share = ax.collections[0].get_array()
    blank = np.ma.getmaskarray(share)
    for column, record in enumerate(rounds):
        for row, count in enumerate(record['alpha_hist']):
            assert blank[row, column] == (count == 0)
            if count:
                assert share[row, column] == pytest.approx(count / NUM_SAMPLES)
    assert ax.get_title() == 'SAKD alpha per round (30 samples, 5 rounds)'
    assert [t.get_text() for t in ax.get_xticklabels()
            ] == [f'{n}\nep {n}' for n in range(1, 6)]


def test_selection_plot_draws_the_counts(tmp_path, monkeypatch):
    figures = record_figures(monkeypatch)
    records = [make_round(n, n) for n in range(1, 6)]
    out = plot_selection_counts(
        records,
        str(tmp_path / 'b' / 'c' / 'sel.png'),
        class_names=['w', 'x', 'y', 'z'])
    assert png_size(out) == (1200, 500)
    [figure] = figures
    ax_class, ax_sample = figure.axes
    total = 5 * SUBSET
    by_class = Counter(LABELS[i] for r in records for i in r['selected'])
    assert bar_heights(ax_class) == [by_class[c] for c in range(NUM_CLASSES)]
    assert line_data(ax_class)[f'uniform: {total / NUM_CLASSES:.1f} per '
                               'class'][1] == [total / NUM_CLASSES] * 2
    assert [t.get_text() for t in ax_class.get_xticklabels()] == list('wxyz')
    assert ax_class.get_title() == (f'Per class: {total} selections in 5 '
                                    f'rounds, {len(by_class)}/4 classes')
    # Samples selected 0, 1, ..., 5 times.
    by_sample = Counter(i for r in records for i in r['selected'])
    times = Counter(by_sample[i] for i in range(NUM_SAMPLES))
    assert bar_heights(ax_sample) == [times[k] for k in range(6)]
    # Random subsets of 7 of 30 in 5 rounds: binomial counts.
    p = SUBSET / NUM_SAMPLES
    x, y = line_data(ax_sample)['random subsets of the same sizes']
    assert x == [0., 1., 2., 3., 4., 5.]
    assert y == pytest.approx([
        NUM_SAMPLES * math.comb(5, k) * p**k * (1 - p)**(5 - k)
        for k in range(6)
    ])
    assert ax_sample.get_title() == (
        f'Per sample: 30 samples, never selected {times[0]} '
        f'({100 * times[0] / NUM_SAMPLES:.1f}%)')

    # An older log without labels: no class panel, the per-sample one.
    old = [make_round(n, n, labels=False) for n in range(1, 3)]
    assert png_size(plot_selection_counts(old, str(tmp_path / 'old.png')))
    ax_class, ax_sample = figures[1].axes
    assert not ax_class.patches and not ax_class.axison
    assert 'no class labels' in texts(ax_class)[0]
    by_sample = Counter(i for r in old for i in r['selected'])
    times = Counter(by_sample[i] for i in range(NUM_SAMPLES))
    assert bar_heights(ax_sample) == [times[k] for k in range(3)]


def test_plot_run(tmp_path, monkeypatch):
    figures = record_figures(monkeypatch)
    work_dir = tmp_path / 'sakd_run'
    work_dir.mkdir()
    records = [make_round(n, n) for n in (1, 2)]
    for record in records:
        append_json_line(str(work_dir / 'sakd_rounds.jsonl'), record)
    paths = plot_run(str(work_dir))
    assert paths == [
        str(work_dir / 'sakd_alpha.png'),
        str(work_dir / 'sakd_selection.png')
    ]
    assert [png_size(p) for p in paths] == [(900, 500), (1200, 500)]
    alpha, selection = figures
    assert line_data(alpha.axes[0])['mean alpha'] == ([0., 1.], [
        r['alpha_mean'] for r in records
    ])
    by_class = Counter(LABELS[i] for r in records for i in r['selected'])
    assert bar_heights(
        selection.axes[0]) == [by_class[c] for c in range(NUM_CLASSES)]
    paths = plot_run(str(work_dir), str(tmp_path / 'out'), prefix='i1_')
    assert [osp.basename(p)
            for p in paths] == ['i1_sakd_alpha.png', 'i1_sakd_selection.png']
    assert all(osp.isfile(p) for p in paths)


def test_plot_inputs_errors(tmp_path):
    out = str(tmp_path / 'x.png')
    with pytest.raises(ValueError, match='no selection round'):
        plot_alpha_distribution([], out)
    with pytest.raises(ValueError, match='no selection round'):
        plot_selection_counts([], out)
    with pytest.raises(ValueError, match='2 class names for 4 classes'):
        plot_selection_counts([make_round(1, 1)], out, class_names=['a', 'b'])
    with pytest.raises(ValueError, match='round 1: missing key "alpha_hist"'):
        plot_alpha_distribution([{'round': 1, 'alpha_mean': 0}], out)
    assert not osp.exists(out)
