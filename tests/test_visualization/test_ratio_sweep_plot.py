"""plot_ratio_sweep: a 1200 x 500 PNG of the points given, clear errors on
bad points."""
import struct

import pytest
from figures import line_data, record_figures, texts

from mmsakd.visualization import plot_ratio_sweep

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def png_size(path):
    """Width and height from the IHDR chunk of a PNG file."""
    with open(path, 'rb') as f:
        head = f.read(24)
    assert head[:8] == PNG_SIGNATURE, f'{path} is not a PNG'
    assert head[12:16] == b'IHDR'
    return struct.unpack('>II', head[16:24])


POINTS = [
    dict(ratio=0.5, top1=41.0, train_time=30.0),
    dict(ratio=0.1, top1=38.5, train_time=9.0),
    dict(ratio=1.0, top1=40.0, train_time=55.0, subset_size=40),
]


@pytest.mark.parametrize('vanilla', [None, dict(top1=40.0, train_time=60.)])
def test_draws_accuracy_and_time_against_ratio(tmp_path, monkeypatch, vanilla):
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


def test_single_point(tmp_path, monkeypatch):
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
def test_bad_points(tmp_path, points, message):
    out = tmp_path / 'bad.png'
    with pytest.raises(ValueError, match=message):
        plot_ratio_sweep(points, str(out))
    assert not out.exists()
