"""Benchmark configs against a baseline over seeds: tables and plots.

Trains every run for every seed, then compares them
(docs/benchmarks.md#benchmark-your-own-configs-ucf101-gpu).

A study file lists the runs (a config, its changes, a label), the seeds and
the baseline (configs/studies/README.md); ``--configs`` is the short form,
one run per config. The runs train as their configs are written, on their
own data, or, with ``--regime``, on a built-in regime's synthetic data
from its cached pretrained checkpoints (the SAKD benchmark's studies,
configs/studies/).

Writes ``results.md`` and ``results.json`` (top-1/top-5 mean ± std over
seeds, paired differences to the baseline, time ratios, time to 95 % and
100 % of the baseline's final top-1, the data-wait split of the training
time), ``accuracy_vs_time.png`` and ``frontier.png`` into the work dir,
each run in ``<work-dir>/runs/<run>/seed<k>/``. Finished runs are reused,
unfinished ones resumed from their last checkpoint and runs whose settings
changed trained afresh, so rerunning the command only does what is missing.

    python tools/analysis/benchmark.py --configs a.py b.py --baseline a.py \\
        --seeds 0,1,2 --work-dir work_dirs/mine
    python tools/analysis/benchmark.py my_study.py
    python tools/analysis/benchmark.py configs/studies/paper.py
    python tools/analysis/benchmark.py mmsakd::studies/paper.py \\
        --regime scratch --quick
    python tools/analysis/benchmark.py \\
        configs/studies/beyond_paper/final_scratch.py
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

from mmengine.config import DictAction

import mmsakd  # noqa: F401  (compat fixes before mmaction.models)
from mmsakd.benchmark import (REGIMES, default_work_dir, load_study,
                              parse_seeds, prepare, run_study,
                              study_from_configs, study_regime)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.split('\n')[1:]))
    parser.add_argument(
        'study',
        nargs='?',
        help='a study file, or mmsakd::studies/<name>.py for a shipped one')
    parser.add_argument(
        '--configs',
        nargs='+',
        metavar='CONFIG',
        help='instead of a study file: one run per config, named after its '
        'file')
    parser.add_argument(
        '--baseline',
        help='the run (a run name, or one of --configs) the tables compare '
        'with (default: the study\'s; the first of --configs)')
    parser.add_argument(
        '--seeds',
        help='comma-separated seeds of every run (default: the study\'s; 0 '
        'with --configs)')
    parser.add_argument(
        '--runs', help='comma-separated runs of the study to train, in order')
    parser.add_argument(
        '--regime',
        choices=sorted(REGIMES),
        help='train on a built-in regime\'s synthetic data from its '
        'pretrained checkpoints (default: the study\'s)')
    parser.add_argument(
        '--epochs',
        type=int,
        help='epochs of every run (default: the study\'s, the regime\'s, or '
        'each config\'s)')
    parser.add_argument(
        '--work-dir',
        help='default: the study\'s work_dir, or '
        'work_dirs/benchmark/<study>[_<regime>][_quick]')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='changes to every run\'s config, key=value as in '
        'tools/train.py')
    parser.add_argument('--title', help='heading of results.md')
    parser.add_argument(
        '--data-dir',
        default='data',
        help='where a regime\'s data is generated (default: %(default)s)')
    parser.add_argument(
        '--cache-dir',
        default='checkpoints/benchmark',
        help='where a regime\'s pretrained checkpoints are cached '
        '(default: %(default)s)')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='a regime\'s smoke run: a few dozen clips for two epochs, data '
        'and checkpoints under the work dir')
    parser.add_argument(
        '--prepare-only',
        action='store_true',
        help='only generate a regime\'s data and train (or find) its '
        'pretrained checkpoints')
    args = parser.parse_args(argv)
    if (args.study is None) == (args.configs is None):
        parser.error('give a study file or --configs (not both)')
    if args.configs and args.runs:
        parser.error('--runs selects runs of a study file; with --configs, '
                     'list the configs to run')
    try:
        args.study = _study(args)
    except (ValueError, KeyError, TypeError, FileNotFoundError) as error:
        parser.error(str(error.args[0] if error.args else error))
    if args.quick or args.prepare_only:
        if args.study.regime is None:
            parser.error('--quick and --prepare-only need a regime')
    if args.work_dir is None:
        args.work_dir = default_work_dir(args.study, args.quick)
    if args.quick:
        args.data_dir = osp.join(args.work_dir, 'data')
        args.cache_dir = osp.join(args.work_dir, 'checkpoints')
    return args


def _study(args):
    seeds = None if args.seeds is None else parse_seeds(args.seeds)
    if args.configs:
        return study_from_configs(args.configs, args.baseline, seeds or (0, ),
                                  args.epochs, args.regime)
    study = load_study(args.study)
    if args.runs is not None:
        study = study.select(
            [r.strip() for r in args.runs.split(',') if r.strip()])
    changes = dict(
        seeds=seeds,
        baseline=args.baseline,
        regime=args.regime,
        epochs=args.epochs)
    return study.replace(**{
        key: value
        for key, value in changes.items() if value is not None
    })


def main(argv=None) -> dict:
    args = parse_args(argv)
    regime = study_regime(args.study, args.quick)
    if args.prepare_only:
        return prepare(
            regime,
            data_dir=args.data_dir,
            cache_dir=args.cache_dir,
            work_dir=args.work_dir)
    return run_study(
        args.study,
        args.work_dir,
        regime=regime,
        data_dir=args.data_dir,
        cache_dir=args.cache_dir,
        cfg_options=args.cfg_options,
        title=args.title)


if __name__ == '__main__':
    main()
