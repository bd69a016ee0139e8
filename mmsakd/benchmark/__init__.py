"""Benchmark studies: runs of configs over seeds, compared in tables of
mean ± std, paired differences, time ratios and time-to-accuracy
(``tools/analysis/benchmark.py``, docs/benchmarks.md).

A study is data (:mod:`.study`, read by :mod:`.study_files`): a study file
lists its runs (a config, its changes, a label), seeds and baseline. Its
runs train as written, on the user's data, or in a built-in regime
(:mod:`.regimes`) on synthetic data with cached pretrained checkpoints
(:mod:`.pretrain`).
"""
from .calibration import calibration
from .configs import config_file, fingerprint, resolve_config
from .driver import default_work_dir, run_study, study_regime, summarize_study
from .pretrain import CACHE_DIR, prepare
from .regimes import (REGIMES, WHOLE_CLIP_REGIMES, Regime, quick_regime,
                      regime_named)
from .runs import Setting, build_run_cfg, collect, train_run
from .study import Run, Study, parse_seeds
from .study_files import (CATALOGUE, builtin_catalogue, load_study,
                          study_from_configs)
from .summary import (TTA_FRACTIONS, aggregate, mean_curve, mean_std,
                      results_table, time_split_table, time_to_accuracy)

__all__ = [
    'CACHE_DIR', 'CATALOGUE', 'REGIMES', 'TTA_FRACTIONS', 'WHOLE_CLIP_REGIMES',
    'Regime', 'Run', 'Setting', 'Study', 'aggregate', 'build_run_cfg',
    'builtin_catalogue', 'calibration', 'collect', 'config_file',
    'default_work_dir', 'fingerprint', 'load_study', 'mean_curve', 'mean_std',
    'parse_seeds', 'prepare', 'quick_regime', 'regime_named', 'resolve_config',
    'results_table', 'run_study', 'study_from_configs', 'study_regime',
    'summarize_study', 'time_split_table', 'time_to_accuracy', 'train_run'
]
