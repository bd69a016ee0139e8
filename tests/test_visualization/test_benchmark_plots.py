"""The plots that compare runs, against the values of the runs given."""
import sys

import matplotlib
import pytest
from figures import line_data, png_size, record_figures, texts

from mmsakd.visualization import (frontier_indices, plot_accuracy_vs_time,
                                  plot_benchmark, plot_frontier,
                                  plot_ratio_sweep)
from mmsakd.visualization.benchmark_plots import _spread

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


def test_accuracy_plot_errors(tmp_path):
    out = str(tmp_path / 'x.png')
    with pytest.raises(ValueError, match='no run'):
        plot_accuracy_vs_time([], out)
    with pytest.raises(ValueError, match='run "B": no point'):
        plot_accuracy_vs_time([dict(label='B', curve=[])], out)
    assert not (tmp_path / 'x.png').exists()


def test_labels_spread_apart():
    spread = _spread([1.0, 1.05, 5.0], 0.5)
    assert spread[1] - spread[0] == pytest.approx(0.5)
    assert spread[2] > spread[1] + 0.5


def test_benchmark_plot_draws_mean_curves_and_band(tmp_path, monkeypatch):
    figures = record_figures(monkeypatch)
    # Mean curves over seeds, with their spread.
    curve = [
        dict(epoch=1, train_time=2., top1=40., top1_std=3.),
        dict(epoch=2, train_time=4., top1=55., top1_std=2.)
    ]
    summary = dict(rows=[
        dict(run='kd', label='Vanilla KD', curve=curve, rel_time=[1., 0.]),
        dict(run='ce', label='CE', curve=curve, rel_time=None)
    ])
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
    assert len(ax.collections) == 2
    for band in ax.collections:
        corners = {tuple(v) for v in band.get_paths()[0].vertices.tolist()}
        assert corners == {(2., 37.), (2., 43.), (4., 53.), (4., 57.)}


POINTS = [
    dict(ratio=0.5, top1=41.0, train_time=30.0),
    dict(ratio=0.1, top1=38.5, train_time=9.0),
    dict(ratio=1.0, top1=40.0, train_time=55.0, subset_size=40),
]


@pytest.mark.parametrize('vanilla', [None, dict(top1=40.0, train_time=60.)])
def test_ratio_sweep_draws_accuracy_and_time(tmp_path, monkeypatch, vanilla):
    figures = record_figures(monkeypatch)
    out = tmp_path / 'new' / 'folder' / 'sweep.png'
    assert plot_ratio_sweep(
        POINTS, str(out), vanilla=vanilla, title='t') == str(out)
    assert png_size(out) == (1200, 500)
    [figure] = figures
    assert figure.get_suptitle() == 't'
    accuracy, time = figure.axes
    # The points in increasing ratio, each value written above it.
    ratios = [0.1, 0.5, 1.0]
    for ax, values, written in ((accuracy, [38.5, 41.0,
                                            40.0], ['38.5', '41.0', '40.0']),
                                (time, [9.0, 30.0, 55.0], ['9', '30', '55'])):
        lines = line_data(ax)
        assert lines.pop('SAKD') == (ratios, values)
        assert texts(ax) == written
        assert ax.get_xscale() == 'log'
        assert [t.get_text()
                for t in ax.get_xticklabels()] == ['0.1', '0.5', '1']
        if vanilla is None:
            assert lines == {}
        else:
            [(label, (_, level))] = lines.items()
            key = 'top1' if ax is accuracy else 'train_time'
            assert label == f'vanilla KD ({vanilla[key]:.1f})'
            assert level == [vanilla[key]] * 2
    assert accuracy.get_ylabel() == 'top-1 accuracy (%)'
    assert time.get_ylabel() == 'training time (s)'


def test_ratio_sweep_single_point(tmp_path, monkeypatch):
    figures = record_figures(monkeypatch)
    out = tmp_path / 'one.png'
    plot_ratio_sweep(POINTS[:1], str(out))
    assert png_size(out) == (1200, 500)
    assert [line_data(ax)['SAKD']
            for ax in figures[0].axes] == [([0.5], [41.0]), ([0.5], [30.0])]


@pytest.mark.parametrize('points, message', [
    ([], 'no point'),
    ([dict(top1=1.0, train_time=1.0)], r"point 0: .*'ratio'"),
    ([POINTS[0], dict(ratio=0.2, top1=1.0)], r"point 1: .*'train_time'"),
    ([dict(ratio=0.2, top1='high', train_time=1.0)], r"'top1'"),
])
def test_ratio_sweep_bad_points(tmp_path, points, message):
    out = tmp_path / 'bad.png'
    with pytest.raises(ValueError, match=message):
        plot_ratio_sweep(points, str(out))
    assert not out.exists()
