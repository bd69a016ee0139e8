"""What the headless plots drew: a copy of every figure at the moment it is
saved, read back through matplotlib's own API (lines, bars, texts), and the
size of the PNG written."""
import pickle
import struct
from typing import List, Tuple

from matplotlib.figure import Figure


def record_figures(monkeypatch) -> List[Figure]:
    """Keep a copy of each figure that ``Figure.savefig`` writes from now
    on; the plots clear their figure once it is saved.

    Args:
        monkeypatch (pytest.MonkeyPatch): Undoes the patch afterwards.

    Returns:
        list[Figure]: Filled in the order the figures are saved.
    """
    figures = []
    savefig = Figure.savefig

    def keep(self, *args, **kwargs):
        figures.append(pickle.loads(pickle.dumps(self)))
        return savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, 'savefig', keep)
    return figures


def line_data(ax) -> dict:
    """``{label: (x, y)}`` of the lines of ``ax``, as lists of floats."""
    return {
        line.get_label():
        ([float(v)
          for v in line.get_xdata()], [float(v) for v in line.get_ydata()])
        for line in ax.lines
    }


def bar_heights(ax) -> List[float]:
    """Heights of the bars of ``ax``, left to right."""
    bars = sorted(ax.patches, key=lambda p: p.get_x())
    return [float(p.get_height()) for p in bars]


def texts(ax) -> List[str]:
    """The texts and annotations drawn in ``ax``."""
    return [t.get_text() for t in ax.texts]


def png_size(path) -> Tuple[int, int]:
    """Width and height in pixels from the IHDR chunk of a PNG file."""
    with open(path, 'rb') as f:
        head = f.read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n', f'{path} is not a PNG'
    assert head[12:16] == b'IHDR'
    return struct.unpack('>II', head[16:24])
