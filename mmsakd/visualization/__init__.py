"""Plots of SAKD runs (matplotlib, headless; no torch import)."""
from .sakd_plots import (load_results, load_rounds, plot_accuracy_vs_time,
                         plot_alpha_distribution, plot_benchmark,
                         plot_ratio_sweep, plot_run, plot_selection_counts,
                         selection_counts)

__all__ = [
    'load_results', 'load_rounds', 'plot_accuracy_vs_time',
    'plot_alpha_distribution', 'plot_benchmark', 'plot_ratio_sweep',
    'plot_run', 'plot_selection_counts', 'selection_counts'
]
