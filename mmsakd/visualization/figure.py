"""Headless figures shared by the plots: a :class:`matplotlib.figure.Figure`
rendered by the Agg canvas, so that neither ``pyplot`` nor the global
backend or style is touched."""
import os
import os.path as osp
from typing import List, Tuple

from matplotlib.figure import Figure

#: Resolution of every PNG; figure sizes are in inches.
DPI = 100


def new_figure(size: Tuple[float, float]) -> Figure:
    """An empty figure of ``size`` inches with a constrained layout.

    Args:
        size (tuple[float, float]): Width and height in inches; the PNG has
            ``DPI`` pixels per inch.

    Returns:
        Figure: Not attached to ``pyplot``.
    """
    return Figure(figsize=size, dpi=DPI, layout='constrained')


def save_figure(fig: Figure, out_file: str) -> str:
    """Write ``fig`` as PNG to ``out_file`` and release it.

    Args:
        fig (Figure): The figure; cleared afterwards.
        out_file (str): Output PNG; missing folders are created.

    Returns:
        str: ``out_file``.
    """
    folder = osp.dirname(out_file)
    if folder:
        os.makedirs(folder, exist_ok=True)
    try:
        fig.savefig(out_file, dpi=DPI, format='png')
    finally:
        fig.clear()
    return out_file


def palette(n: int) -> List[tuple]:
    """``n`` distinct colours (tab10, then tab20).

    Args:
        n (int): How many.

    Returns:
        list[tuple]: RGBA colours.
    """
    from matplotlib import colormaps
    cmap = colormaps['tab10' if n <= 10 else 'tab20']
    return [cmap(i % cmap.N) for i in range(n)]
