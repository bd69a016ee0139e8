"""Running a study: a regime's data and pretraining if it has one, every run
for every seed, then the tables and plots (``tools/analysis/benchmark.py``).

Seeds are the outer loop, so that a study stopped half-way holds complete,
paired seeds. Every finished run is reused and an unfinished one resumed,
so an interrupted study only does what is missing.
"""
import dataclasses
import os
import os.path as osp
import time
from typing import Dict, Optional

from mmsakd.datasets.groups import clip_groups, group_indices
from .calibration import calibration, calibration_section
from .coverage import coverage_section
from .pretrain import CACHE_DIR, prepare
from .regimes import Regime, describe, quick_regime, regime_named
from .report import machine, report, write_results
from .runs import Setting, collect, train_run
from .study import Study
from .summary import aggregate


def study_regime(study: Study, quick: bool = False) -> Optional[Regime]:
    """The regime of ``study`` with its epochs (None without one).

    Args:
        study (Study): The study.
        quick (bool): The regime's smoke run
            (:func:`~mmsakd.benchmark.regimes.quick_regime`), on which the
            study's epochs still apply. Defaults to False.
    """
    if study.regime is None:
        if quick:
            raise ValueError('a quick run needs a regime')
        return None
    regime = regime_named(study.regime, study.augment)
    if quick:
        regime = quick_regime(regime)
    if study.epochs is not None:
        regime = dataclasses.replace(regime, epochs=study.epochs)
    return regime


def default_work_dir(study: Study, quick: bool = False) -> str:
    """The study's ``work_dir``, or ``work_dirs/benchmark/<name>``, with
    ``_<regime>`` and ``_quick`` appended as they apply."""
    if study.work_dir:
        return study.work_dir
    name = study.name
    if study.regime is not None:
        name += f'_{study.regime}'
    return osp.join('work_dirs', 'benchmark', name + ('_quick' * quick))


def run_study(study: Study,
              work_dir: str,
              regime: Optional[Regime] = None,
              data_dir: str = 'data',
              cache_dir: str = CACHE_DIR,
              cfg_options: Optional[Dict] = None,
              title: Optional[str] = None) -> Dict:
    """Train every run of ``study`` for every seed and write
    ``results.md``, ``results.json``, ``accuracy_vs_time.png`` and
    ``frontier.png`` into ``work_dir``.

    Args:
        study (Study): The study.
        work_dir (str): The study's work dir.
        regime (Regime, optional): The regime to train in; None:
            :func:`study_regime`. Defaults to None.
        data_dir (str): Where a regime's data is generated. Defaults to
            'data'.
        cache_dir (str): Where a regime's pretrained checkpoints are
            cached. Defaults to 'checkpoints/benchmark'.
        cfg_options (dict, optional): Merged into every run's config.
            Defaults to None.
        title (str, optional): The heading of results.md; None: the
            study's, or one naming the regime or study. Defaults to None.

    Returns:
        dict: What ``results.json`` holds: ``settings``, ``calibration``
        (a regime's checks; empty without), ``summary``
        (:func:`~mmsakd.benchmark.summary.aggregate`) and ``records``.
    """
    started = time.time()
    regime = regime or study_regime(study)
    os.makedirs(work_dir, exist_ok=True)
    prepared = None
    if regime is not None:
        print(
            f'==> {regime.name} regime: data and pretrained models',
            flush=True)
        prepared = prepare(
            regime, data_dir=data_dir, cache_dir=cache_dir, work_dir=work_dir)
    setting = Setting(regime, prepared, study.epochs, cfg_options)
    total = len(study.seeds) * len(study.runs)
    done = 0
    for seed in study.seeds:
        for run in study.runs:
            done += 1
            epochs = setting.run_epochs(run)
            epochs = 'its config\'s' if epochs is None else epochs
            print(
                f'\n==> run {done}/{total}: {run.label} ({run.name}), '
                f'seed {seed}, {epochs} epochs',
                flush=True)
            record = train_run(run, seed, work_dir, setting)
            print(
                f'{run.name} seed {seed}: top-1 {record["top1"]:.1f}, '
                f'trained in {record["train_time"]:.0f}s',
                flush=True)
    out = summarize_study(study, work_dir, regime, prepared, title)
    out['settings']['wall_time'] = round(time.time() - started, 1)
    text = write_results(work_dir, out.pop('text'), out,
                         f'{regime.name} regime' if regime else study.name)
    print('\n' + text)
    print(f'results: {osp.join(work_dir, "results.md")}, results.json, '
          f'{osp.join(work_dir, "accuracy_vs_time.png")}; finished in '
          f'{time.time() - started:.0f}s')
    return out


def summarize_study(study: Study,
                    work_dir: str,
                    regime: Optional[Regime] = None,
                    prepared: Optional[Dict] = None,
                    title: Optional[str] = None) -> Dict:
    """The tables of the finished runs of ``study`` in ``work_dir``.

    Args:
        study (Study): The study.
        work_dir (str): The study's work dir.
        regime (Regime, optional): Its regime. Defaults to None.
        prepared (dict, optional): The regime's pretrained checkpoints
            (:func:`~mmsakd.benchmark.pretrain.prepare`). Defaults to None.
        title (str, optional): As for :func:`run_study`. Defaults to None.

    Returns:
        dict: ``settings``, ``calibration``, ``summary``, ``records`` and
        ``text`` (results.md without its plots).
    """
    names = study.names()
    records = collect(work_dir, names, study.seeds)
    summary = aggregate(
        records,
        baseline=study.baseline,
        order=[run.name for run in study.catalogue])
    settings = dict(
        regime=regime.settings() if regime else None,
        seeds=list(study.seeds),
        runs=names,
        study=study.source,
        configs={run.name: run.config
                 for run in study.runs},
        machine=machine(),
        date=time.strftime('%Y-%m-%d'),
        pretrained=prepared['pretrained'] if prepared else [])
    if regime is not None:
        calib = calibration(regime, prepared, summary, study.baseline)
        described = describe(regime, prepared)
        scope, notes = described['scope'], [described['pretraining']]
        title = title or study.title or f'SAKD benchmark, {regime.name} regime'
    else:
        calib = {}
        scope = 'Each run trains its config on the config\'s own data, '
        if study.epochs is not None:
            scope += f'{study.epochs} epochs per run, '
        notes = [
            'Runs: ' + '; '.join(f'{run.label} (`{run.config}`)'
                                 for run in study.runs) + '.'
        ]
        title = title or study.title or f'Benchmark: {study.name}'
    sections = calibration_section(calib)
    if regime is not None and regime.target.clips_per_group > 1:
        groups = group_indices(
            clip_groups(osp.join(prepared['target_root'], 'train.txt')))
        sections += coverage_section(work_dir, study.runs, study.seeds, groups)
    text = report(title, summary, settings, scope, notes, sections)
    return dict(
        settings=settings,
        calibration=calib,
        summary=summary,
        records=records,
        text=text)
