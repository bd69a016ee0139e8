"""Does SAKD pay off? The benchmark of docs/benchmarks.md#the-sakd-benchmark.

Trains, for every seed, the student alone, vanilla KD, SAKD every epoch and
every 5 epochs, the two random-subset controls at the same ratio (SAKD's
strengths with random selection; plain random-subset KD with alpha 0.5)
every epoch and every 5 epochs, and InfoBatch-style KD, in one of the built-in
regimes:

- ``transfer``: teacher and student pretrained on a source dataset of other
  motion classes, the teacher fine-tuned on the target, the students
  fine-tuned from their source weights (the paper's UCF101 setting in
  miniature);
- ``scratch``: the default synthetic dataset, everything from scratch;
- ``grouped``: ``transfer`` on a target whose clips come in groups cut from
  one video, as UCF101's do (augmented clips only).

Variants beyond the paper (shortened and cached vanilla KD, SAKD+ and its
ablations, docs/benchmarks.md#beyond-the-paper) run when named in
``--runs``. The runs are defined in configs/studies/ (``paper.py`` and
``beyond_paper.py``); ``tools/analysis/benchmark.py`` runs those study files,
or any other, as they are.

Writes ``results.md``, ``results.json``, ``accuracy_vs_time.png`` (mean
curves with the seed spread as a band) and ``frontier.png`` (final top-1
against time relative to vanilla KD) into the work dir. Finished runs are
reused and unfinished ones resumed, so an interrupted study continues
where it stopped; pretrained checkpoints are cached under
``checkpoints/benchmark``.

    python tools/analysis/benchmark_sakd.py --regime transfer --seeds 0,1,2
    python tools/analysis/benchmark_sakd.py --regime scratch --runs ce,kd
    python tools/analysis/benchmark_sakd.py --regime transfer --seeds 1,2,3 \
        --runs kd,kd_cache,infobatch,sakd_plus,plus_sakd_selection
    python tools/analysis/benchmark_sakd.py --regime transfer --quick
    python tools/analysis/benchmark_sakd.py --regime scratch --prepare-only
"""
import argparse
import dataclasses
import os
import os.path as osp
import shutil
import sys

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

import mmsakd  # noqa: F401  (compat fixes before mmaction.models)
from mmsakd.benchmark import (REGIMES, builtin_catalogue, load_study,
                              parse_seeds, prepare, quick_regime, regime_named,
                              run_study)
from mmsakd.benchmark.study_files import PAPER

#: Where configs/synthetic/*_slowfast_tiny_synthetic.py read the teacher.
TINY_TEACHER = 'checkpoints/slowfast_tiny_teacher_synthetic.pth'


def parse_args(argv=None):
    catalogue = builtin_catalogue()
    paper = [run.name for run in load_study(PAPER).catalogue]
    variants = [r.name for r in catalogue.catalogue if r.name not in paper]
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.split('\n')[1:]))
    parser.add_argument('--regime', choices=sorted(REGIMES), required=True)
    parser.add_argument(
        '--seeds',
        default='0,1,2',
        help='comma-separated seeds of the student runs (default: '
        '%(default)s)')
    parser.add_argument(
        '--runs',
        default=','.join(paper),
        help='comma-separated runs, from: ' + ', '.join(paper) +
        '; and the variants beyond the paper: ' + ', '.join(variants) +
        ' (default: all of the paper\'s)')
    parser.add_argument(
        '--epochs',
        type=int,
        help='epochs of every student run (default: the regime\'s; 2 with '
        '--quick)')
    parser.add_argument(
        '--work-dir',
        help='default: work_dirs/benchmark_sakd/<regime> (<regime>_quick '
        'with --quick)')
    parser.add_argument('--data-dir', default='data')
    parser.add_argument('--cache-dir', default='checkpoints/benchmark')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='a smoke run on a few dozen clips for two epochs; data and '
        'checkpoints under the work dir')
    parser.add_argument(
        '--no-augment',
        dest='augment',
        action='store_false',
        help='train on 16-frame clips read whole '
        '(configs/_base_/datasets/synthetic_action.py) instead of random '
        '16-frame windows and crops of 24-frame clips '
        '(configs/_base_/datasets/synthetic_action_aug.py)')
    parser.add_argument(
        '--title', help='heading of results.md (default: from the regime)')
    parser.add_argument(
        '--prepare-only',
        action='store_true',
        help='only generate the data and train (or find) the pretrained '
        'checkpoints; for the scratch regime, also copy its teacher to '
        f'{TINY_TEACHER} (the path the tiny SlowFast configs read) if '
        'that file does not exist')
    args = parser.parse_args(argv)
    try:
        args.seeds = parse_seeds(args.seeds)
    except ValueError as error:
        parser.error(f'--{error}')
    args.runs = [r.strip() for r in args.runs.split(',') if r.strip()]
    try:
        args.study = catalogue.select(args.runs).replace(
            seeds=args.seeds, baseline='kd', regime=args.regime)
    except (KeyError, ValueError) as error:
        parser.error(f'--runs: {error.args[0]}')
    if args.epochs is not None and args.epochs < 1:
        parser.error(f'--epochs must be >= 1, got {args.epochs}')
    try:
        regime_named(args.regime, args.augment)
    except ValueError as error:
        parser.error(f'--regime: {error}')
    if args.work_dir is None:
        suffix = '_quick' if args.quick else ''
        args.work_dir = f'work_dirs/benchmark_sakd/{args.regime}{suffix}'
    if args.quick:
        args.data_dir = osp.join(args.work_dir, 'data')
        args.cache_dir = osp.join(args.work_dir, 'checkpoints')
    return args


def _publish(checkpoint: str, path: str) -> None:
    if osp.exists(path):
        print(f'{path} exists; not replaced by {checkpoint}')
        return
    os.makedirs(osp.dirname(path), exist_ok=True)
    shutil.copyfile(checkpoint, path + '.tmp')
    os.replace(path + '.tmp', path)
    print(f'teacher checkpoint: {path} (from {checkpoint})')


def main(argv=None) -> dict:
    args = parse_args(argv)
    regime = regime_named(args.regime, args.augment)
    if args.quick:
        regime = quick_regime(regime)
    if args.epochs is not None:
        regime = dataclasses.replace(regime, epochs=args.epochs)
    if args.prepare_only:
        prepared = prepare(
            regime,
            data_dir=args.data_dir,
            cache_dir=args.cache_dir,
            work_dir=args.work_dir)
        if regime.name == 'scratch' and not args.quick:
            _publish(prepared['teacher']['checkpoint'], TINY_TEACHER)
        return prepared
    return run_study(
        args.study,
        args.work_dir,
        regime=regime,
        data_dir=args.data_dir,
        cache_dir=args.cache_dir,
        title=args.title)


if __name__ == '__main__':
    main()
