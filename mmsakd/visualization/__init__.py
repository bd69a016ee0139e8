"""Headless matplotlib plots of SAKD runs: one run's selection rounds
(:mod:`.round_plots`) and comparisons of runs (:mod:`.benchmark_plots`).

The logs they draw are read by :mod:`mmsakd.utils.logs`. Like every
``mmsakd`` module, importing these runs ``mmsakd/__init__.py`` first, so a
plotting script imports torch and MMAction2 too (a few seconds); the plot
modules themselves import only numpy and matplotlib.
"""
from mmsakd.utils.logs import read_results, read_sakd_rounds
from .benchmark_plots import (frontier_indices, plot_accuracy_vs_time,
                              plot_benchmark, plot_frontier, plot_ratio_sweep)
from .round_plots import (plot_alpha_distribution, plot_run,
                          plot_selection_counts, selection_counts)

# The readers' names before they moved to mmsakd.utils.logs.
load_rounds = read_sakd_rounds
load_results = read_results

__all__ = [
    'frontier_indices', 'load_results', 'load_rounds', 'plot_accuracy_vs_time',
    'plot_alpha_distribution', 'plot_benchmark', 'plot_frontier',
    'plot_ratio_sweep', 'plot_run', 'plot_selection_counts', 'selection_counts'
]
