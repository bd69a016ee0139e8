import json
import math
import os.path as osp
import struct
import subprocess
import sys
from collections import Counter

import matplotlib
import numpy as np
import pytest
from figures import bar_heights, line_data, record_figures, texts
from helpers import REPO_ROOT

from mmsakd.visualization import (frontier_indices, load_results, load_rounds,
                                  plot_accuracy_vs_time,
                                  plot_alpha_distribution, plot_benchmark,
                                  plot_frontier, plot_run,
                                  plot_selection_counts, sakd_plots,
                                  selection_counts)

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


def write_jsonl(path, records):
    with open(path, 'w') as f:
        for record in records:
            f.write(
                (record if isinstance(record, str) else json.dumps(record)) +
                '\n')
    return str(path)


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n', f'{path} is not a PNG'
    assert head[12:16] == b'IHDR'
    return struct.unpack('>II', head[16:24])


def test_load_rounds_file_or_work_dir(tmp_path):
    records = [make_round(n, n) for n in (1, 2, 3)]
    path = write_jsonl(tmp_path / 'sakd_rounds.jsonl', records + [''])
    assert load_rounds(path) == records
    assert load_rounds(str(tmp_path)) == records


def test_load_rounds_resume_keeps_last_occurrence(tmp_path):
    first = [make_round(n, n) for n in (1, 2, 3, 4)]
    # Resumed from the state after round 2: rounds 3 and 4 are redone.
    resumed = [make_round(n, 100 + n) for n in (3, 4, 5)]
    path = write_jsonl(tmp_path / 'r.jsonl', first + resumed)
    rounds = load_rounds(path)
    assert [r['round'] for r in rounds] == [1, 2, 3, 4, 5]
    assert rounds[:2] == first[:2]
    assert rounds[2:] == resumed

    # A repeated round supersedes the later rounds of the abandoned run too.
    path = write_jsonl(tmp_path / 'r2.jsonl', first + [resumed[0]])
    assert load_rounds(path) == first[:2] + [resumed[0]]


def test_load_rounds_errors(tmp_path):
    missing = str(tmp_path / 'nowhere')
    with pytest.raises(FileNotFoundError, match='nowhere'):
        load_rounds(missing)
    with pytest.raises(FileNotFoundError, match='sakd_rounds.jsonl'):
        load_rounds(str(tmp_path))  # a work dir without the file
    empty = write_jsonl(tmp_path / 'empty.jsonl', ['', '  '])
    with pytest.raises(ValueError, match='empty.jsonl.*no selection round'):
        load_rounds(empty)
    bad = write_jsonl(tmp_path / 'bad.jsonl',
                      [make_round(1, 1),
                       make_round(2, 2), '{"round": 3,'])
    with pytest.raises(ValueError, match=r'bad\.jsonl, line 3: malformed'):
        load_rounds(bad)
    no_round = write_jsonl(tmp_path / 'nr.jsonl', ['{"epoch": 0}'])
    with pytest.raises(ValueError, match=r'nr\.jsonl, line 1: "round"'):
        load_rounds(no_round)
    not_object = write_jsonl(tmp_path / 'list.jsonl',
                             [make_round(1, 1), '[1, 2]'])
    with pytest.raises(ValueError, match=r'list\.jsonl, line 2: expected'):
        load_rounds(not_object)


def test_selection_counts_match_counter(tmp_path):
    records = [make_round(n, n) for n in range(1, 6)]
    rounds = load_rounds(write_jsonl(tmp_path / 'r.jsonl', records))
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
    expected = sakd_plots._random_selection_counts([5, 5, 10], 10)
    assert expected.sum() == pytest.approx(10)
    # Every sample is in the last (full) subset: at least one selection.
    assert expected[0] == pytest.approx(0)
    assert expected[1] == pytest.approx(10 * 0.5 * 0.5)
    spread = sakd_plots._spread([1.0, 1.05, 5.0], 0.5)
    assert spread[1] - spread[0] == pytest.approx(0.5)
    assert spread[2] > spread[1] + 0.5


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


RUNS = [
    dict(
        name='kd',
        label='KD',
        top1=60.0,
        train_time=900.0,
        curve=[
            dict(epoch=e, train_time=300.0 * e, top1=20.0 * e)
            for e in (1, 2, 3)
        ]),
    dict(
        name='sakd',
        label='SAKD',
        rel_time=0.3,
        curve=[
            dict(epoch=1, train_time=90.0, top1=None),
            dict(epoch=2, train_time=180.0, top1=45.0)
        ]),
    dict(name='single', top1=50.0, train_time=100.0, rel_time=None),
]


def test_accuracy_plot_draws_one_line_per_run(tmp_path, monkeypatch):
    before = dict(matplotlib.rcParams)
    figures = record_figures(monkeypatch)
    out = plot_accuracy_vs_time(RUNS, str(tmp_path / 'acc.png'), title='t')
    assert png_size(out) == (800, 500)
    [figure] = figures
    ax = figure.axes[0]
    # The longest run passes 600 s: minutes. Points without top-1 are
    # left out; a run without curve is its final point.
    assert line_data(ax) == {
        'KD': ([5., 10., 15.], [20., 40., 60.]),
        'SAKD': ([3.], [45.]),
        'single': ([100 / 60], [50.]),
    }
    assert texts(ax) == [
        'KD: 60.0%', 'SAKD: 45.0% (0.30x time)', 'single: 50.0%'
    ]
    assert not ax.collections  # no spread over seeds, no band
    assert ax.get_xlabel() == 'cumulative training time (min)'
    assert ax.get_title() == 't'
    # No global side effect: style untouched, no pyplot figure left open.
    assert dict(matplotlib.rcParams) == before
    assert 'matplotlib.pyplot' not in sys.modules or not (
        sys.modules['matplotlib.pyplot'].get_fignums())


def test_frontier_indices_and_plot(tmp_path, monkeypatch):
    times = [1.0, 0.5, 0.3, 0.6, 0.3, 0.1]
    top1 = [80.0, 79.0, 70.0, 75.0, 72.0, 60.0]
    # 0.6/75 is beaten by 0.5/79; 0.3/70 by 0.3/72.
    assert frontier_indices(times, top1) == [5, 4, 1, 0]
    assert frontier_indices([1.0, 1.0], [5.0, 5.0]) == [0, 1]
    with pytest.raises(ValueError, match='same length'):
        frontier_indices([1.0], [])
    rows = [
        dict(run=f'r{i}', label=f'run {i}', top1=(a, 1.0), rel_time=(t, 0.05))
        for i, (t, a) in enumerate(zip(times, top1))
    ]
    rows[0]['run'] = 'kd'
    rows.append(
        dict(run='none', label='no time', top1=(50.0, 0), rel_time=None))
    figures = record_figures(monkeypatch)
    out = plot_frontier(
        dict(baseline='kd', rows=rows), str(tmp_path / 'f' / 'front.png'))
    assert png_size(out) == (1300, 600)
    ax = figures[0].axes[0]
    # One point per run with a time, its spread as error bars.
    drawn = {}
    for bars in ax.containers:
        line, _, (xerr, yerr) = bars
        drawn[bars.get_label()] = (list(line.get_xdata()),
                                   list(line.get_ydata()))
        (x, _), (x2, _) = xerr.get_segments()[0]
        assert x2 - x == pytest.approx(2 * 0.05)
        (_, y1), (_, y2) = yerr.get_segments()[0]
        assert y2 - y1 == pytest.approx(2 * 1.0)
    assert drawn == {
        f'run {i}': ([t], [a])
        for i, (t, a) in enumerate(zip(times, top1))
    }
    styled = {line.get_linestyle(): line for line in ax.lines}
    # The frontier: 5, 4, 1, 0 by time.
    assert list(styled['--'].get_xdata()) == [0.1, 0.3, 0.5, 1.0]
    assert list(styled['--'].get_ydata()) == [60.0, 72.0, 79.0, 80.0]
    # The baseline's top-1 less the tolerance, and the time budget.
    assert list(styled[':'].get_ydata()) == [79.5, 79.5]
    assert list(styled['-.'].get_xdata()) == [0.4, 0.4]
    with pytest.raises(ValueError, match='no run with a top-1'):
        plot_frontier(dict(baseline='kd', rows=rows[-1:]), out)


def test_plot_inputs_errors(tmp_path):
    out = str(tmp_path / 'x.png')
    with pytest.raises(ValueError, match='no selection round'):
        plot_alpha_distribution([], out)
    with pytest.raises(ValueError, match='no selection round'):
        plot_selection_counts([], out)
    with pytest.raises(ValueError, match='no run'):
        plot_accuracy_vs_time([], out)
    with pytest.raises(ValueError, match='run "B": no point'):
        plot_accuracy_vs_time([dict(label='B', curve=[])], out)
    with pytest.raises(ValueError, match='2 class names for 4 classes'):
        plot_selection_counts([make_round(1, 1)], out, class_names=['a', 'b'])
    with pytest.raises(ValueError, match='round 1: missing key "alpha_hist"'):
        plot_alpha_distribution([{'round': 1, 'alpha_mean': 0}], out)
    assert not osp.exists(out)


def test_plot_run_and_load_results(tmp_path, monkeypatch):
    figures = record_figures(monkeypatch)
    work_dir = tmp_path / 'sakd_run'
    work_dir.mkdir()
    records = [make_round(n, n) for n in (1, 2)]
    write_jsonl(work_dir / 'sakd_rounds.jsonl', records)
    paths = plot_run(str(work_dir))
    assert paths == [
        str(work_dir / 'sakd_alpha.png'),
        str(work_dir / 'sakd_selection.png')
    ]
    assert all(png_size(p) for p in paths)
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

    results = tmp_path / 'results.json'
    results.write_text(json.dumps({'settings': {}, 'runs': [{'name': 'a'}]}))
    assert load_results(str(results)) == [{'name': 'a'}]
    results.write_text('{"runs": [}')
    with pytest.raises(ValueError, match='results.json: malformed JSON'):
        load_results(str(results))
    results.write_text('{"settings": {}}')
    with pytest.raises(ValueError, match='non-empty "runs"'):
        load_results(str(results))
    # A benchmark's results.json: its summary rows, with the seed band.
    curve = [
        dict(epoch=1, train_time=2., top1=40., top1_std=3.),
        dict(epoch=2, train_time=4., top1=55., top1_std=2.)
    ]
    summary = dict(rows=[
        dict(run='kd', label='Vanilla KD', curve=curve, rel_time=[1., 0.]),
        dict(run='ce', label='CE', curve=curve, rel_time=None)
    ])
    results.write_text(json.dumps(dict(summary=summary, records=[])))
    assert load_results(str(results)) == [
        dict(label='Vanilla KD', curve=curve, rel_time=1.),
        dict(label='CE', curve=curve, rel_time=None)
    ]
    png = plot_benchmark(summary, str(tmp_path / 'bench.png'))
    assert png_size(png) == (800, 500)
    ax = figures[-1].axes[0]
    assert line_data(ax) == {
        'Vanilla KD': ([2., 4.], [40., 55.]),
        'CE': ([2., 4.], [40., 55.])
    }
    assert texts(ax) == ['Vanilla KD: 55.0% (1.00x time)', 'CE: 55.0%']
    assert ax.get_xlabel() == 'cumulative training time (s)'
    # The band: top-1 +- its std over seeds at every point.
    for band in ax.collections:
        corners = {tuple(v) for v in band.get_paths()[0].vertices.tolist()}
        assert corners == {(2., 37.), (2., 43.), (4., 53.), (4., 57.)}


def test_module_does_not_import_torch():
    code = ('import importlib.util, sys\n'
            'spec = importlib.util.spec_from_file_location("m", sys.argv[1])\n'
            'spec.loader.exec_module(importlib.util.module_from_spec(spec))\n'
            'print("torch" in sys.modules)')
    path = osp.join(REPO_ROOT, 'mmsakd', 'visualization', 'sakd_plots.py')
    result = subprocess.run([sys.executable, '-c', code, path],
                            capture_output=True,
                            text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'False'
