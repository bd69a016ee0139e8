"""The benchmark's aggregation over seeds, kept importable here; it lives in
:mod:`mmsakd.benchmark.summary`."""
from mmsakd.benchmark.summary import (TTA_FRACTIONS, aggregate, mean_curve,
                                      mean_std, results_table,
                                      time_split_table, time_to_accuracy)

__all__ = [
    'TTA_FRACTIONS', 'aggregate', 'mean_curve', 'mean_std', 'results_table',
    'time_split_table', 'time_to_accuracy'
]
