"""The SAKD benchmark's names, kept importable here: the benchmark lives in
:mod:`mmsakd.benchmark`, its runs in ``configs/studies/`` (``paper.py``, the
paper's runs, and ``beyond_paper.py``, the variants beyond it).

``RUNS`` and ``VARIANTS`` map run names to their
:class:`~mmsakd.benchmark.Run`, read from the study files on first use.
"""
from collections import OrderedDict
from typing import Dict, Optional, Sequence

from mmengine.config import Config

from mmsakd.benchmark import runs as _runs
from mmsakd.benchmark.calibration import calibration
from mmsakd.benchmark.configs import config_file, fingerprint
from mmsakd.benchmark.driver import run_study
from mmsakd.benchmark.pretrain import (CACHE_DIR, STUDENT_CONFIG,
                                       TEACHER_CONFIG, prepare, pretrained)
from mmsakd.benchmark.regimes import REGIMES, Regime, data_roots, quick_regime
from mmsakd.benchmark.runs import Setting, collect
from mmsakd.benchmark.study import Run
from mmsakd.benchmark.study_files import PAPER, builtin_catalogue, load_study

# RUNS and VARIANTS too (module __getattr__).
__all__ = [
    'BASELINE', 'CACHE_DIR', 'REGIMES', 'Regime', 'STUDENT_CONFIG',
    'TEACHER_CONFIG', 'build_run_cfg', 'calibration', 'collect', 'config_file',
    'data_roots', 'fingerprint', 'prepare', 'pretrained', 'quick_regime',
    'run_benchmark', 'run_epochs', 'run_spec', 'train_run'
]

#: The run the tables compare with.
BASELINE = 'kd'


def __getattr__(name: str):
    if name in ('RUNS', 'VARIANTS'):
        paper = {run.name for run in load_study(PAPER).catalogue}
        return OrderedDict((run.name, run)
                           for run in builtin_catalogue().catalogue
                           if (run.name in paper) == (name == 'RUNS'))
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def run_spec(run: str) -> Run:
    """The :class:`~mmsakd.benchmark.Run` called ``run`` (a paper run or
    a variant)."""
    return builtin_catalogue().run(run)


def run_epochs(regime: Regime, run: str) -> int:
    """The number of epochs ``run`` trains in ``regime``."""
    return run_spec(run).num_epochs(regime.epochs)


def build_run_cfg(regime: Regime, run: str, seed: int, prepared: Dict,
                  work_dir: str) -> Config:
    """The config of one run of the regime with one seed."""
    return _runs.build_run_cfg(
        run_spec(run), seed, work_dir, Setting(regime, prepared))


def train_run(regime: Regime, run: str, seed: int, prepared: Dict,
              work_dir: str) -> Dict:
    """Train (or reuse, or resume) one run and return its record."""
    return _runs.train_run(
        run_spec(run), seed, work_dir, Setting(regime, prepared))


def run_benchmark(regime: Regime,
                  seeds: Sequence[int],
                  runs: Sequence[str],
                  work_dir: str,
                  data_dir: str = 'data',
                  cache_dir: str = CACHE_DIR,
                  title: Optional[str] = None,
                  cfg_options: Optional[Dict] = None) -> Dict:
    """Run the named runs of the SAKD benchmark in ``regime`` for every
    seed, against :data:`BASELINE` (:func:`~mmsakd.benchmark.run_study`;
    ``cfg_options`` is merged into every run's config).
    """
    study = builtin_catalogue().select(runs).replace(
        seeds=seeds, baseline=BASELINE)
    return run_study(
        study,
        work_dir,
        regime=regime,
        data_dir=data_dir,
        cache_dir=cache_dir,
        title=title,
        cfg_options=cfg_options)
