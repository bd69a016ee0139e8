"""Plots of SAKD runs (matplotlib, headless; no torch import)."""
from .sakd_plots import (frontier_indices, load_results, load_rounds,
                         plot_accuracy_vs_time, plot_alpha_distribution,
                         plot_benchmark, plot_frontier, plot_ratio_sweep,
                         plot_run, plot_selection_counts, selection_counts)

__all__ = [
    'frontier_indices', 'load_results', 'load_rounds', 'plot_accuracy_vs_time',
    'plot_alpha_distribution', 'plot_benchmark', 'plot_frontier',
    'plot_ratio_sweep', 'plot_run', 'plot_selection_counts', 'selection_counts'
]
