"""The ``make demo`` job: does SAKD pay off? One seed of the benchmark's
transfer regime (docs/benchmarks.md#the-sakd-benchmark).

Steps (each skipped when its output already exists; an interrupted run
resumes from its last checkpoint):

1. generate the source dataset (12 motion classes, the role of
   Kinetics-400) and the target dataset (the 10 default classes, the role
   of UCF101) under ``--data-dir``;
2. pretrain the tiny SlowFast teacher and student on the source and
   fine-tune the teacher on the target, once, with seed 0; the checkpoints
   are cached under ``--cache-dir`` by a hash of their settings;
3. train the student on the target, starting from its source weights:
   alone, vanilla KD, the paper's SAKD (r = 0.1, a round every epoch),
   random-subset KD at the same r and the augmented benchmark's preset,
   vanilla KD reading its teacher's logits from a warm teacher-output
   store (filled before its training), validating every
   ``--val-interval`` epochs and after the last (``--runs ...,infobatch``
   adds InfoBatch-style KD, about 1.5 minutes more);
4. write ``results.md`` (the table, calibration, where the time goes),
   ``results.json`` and plots into ``--work-dir``.

The full study (every control, three seeds, both regimes) is
``tools/analysis/benchmark_sakd.py``; it shares the data and pretrained
checkpoints with this demo. ``--quick`` runs the same steps on a few dozen
clips for two epochs, in ``<work-dir>/quick``, as a smoke test.
"""
import argparse
import dataclasses
import os.path as osp
import sys
import time

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..')))

import mmsakd  # noqa: F401  (compat fixes before mmaction.models)
from mmsakd.apis.sakd_benchmark import (REGIMES, RUNS, VARIANTS, quick_regime,
                                        run_benchmark)
from mmsakd.visualization import plot_run

#: The demo's runs: the smallest set that answers the question.
DEMO_RUNS = ('ce', 'kd', 'sakd_i1', 'random_kd_i1', 'kd_store_warm')
#: Validation every 3 epochs (and after the last) keeps the demo within
#: its time on two cores; the study validates every epoch.
VAL_INTERVAL = 3


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-dir', default='data')
    parser.add_argument('--cache-dir', default='checkpoints/benchmark')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--epochs',
        type=int,
        default=REGIMES['transfer'].epochs,
        help='epochs of every student run (default: the full study\'s, '
        '%(default)s; 2 with --quick)')
    parser.add_argument(
        '--runs',
        default=','.join(DEMO_RUNS),
        help='comma-separated student runs, from: ' + ', '.join(RUNS) +
        ' and the variants beyond the paper: ' + ', '.join(VARIANTS) +
        ' (default: %(default)s)')
    parser.add_argument(
        '--val-interval',
        type=int,
        help=f'validate every N epochs and after the last (default: '
        f'{VAL_INTERVAL}; 1 with --quick)')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='a smoke run on a few dozen clips for two epochs, written '
        'under <work-dir>/quick')
    args = parser.parse_args(argv)
    args.runs = [r.strip() for r in args.runs.split(',') if r.strip()]
    unknown = [r for r in args.runs if r not in RUNS and r not in VARIANTS]
    if unknown or not args.runs:
        parser.error(f'--runs: unknown run(s) {unknown}; choose from '
                     f'{", ".join(list(RUNS) + list(VARIANTS))}')
    if len(set(args.runs)) != len(args.runs):
        parser.error(f'--runs must be distinct, got {args.runs}')
    if args.epochs < 1:
        parser.error(f'--epochs must be >= 1, got {args.epochs}')
    if args.seed < 0:
        parser.error(f'--seed must be >= 0, got {args.seed}')
    if args.val_interval is None:
        args.val_interval = 1 if args.quick else VAL_INTERVAL
    if args.val_interval < 1:
        parser.error(f'--val-interval must be >= 1, got {args.val_interval}')
    if args.quick:
        args.work_dir = osp.join(args.work_dir, 'quick')
        args.data_dir = osp.join(args.work_dir, 'data')
        args.cache_dir = osp.join(args.work_dir, 'checkpoints')
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    start = time.time()
    regime = dataclasses.replace(REGIMES['transfer'], epochs=args.epochs)
    if args.quick:
        regime = quick_regime(regime)
    out = run_benchmark(
        regime, [args.seed],
        args.runs,
        args.work_dir,
        data_dir=args.data_dir,
        cache_dir=args.cache_dir,
        title='SAKD demo: one seed of the transfer regime',
        cfg_options={'train_cfg.val_interval': args.val_interval})
    # How SAKD's strengths and subsets evolved, per SAKD run.
    plots = []
    for record in out['records']:
        if record.get('score_time') is not None:
            plots += plot_run(
                record['work_dir'],
                out_dir=args.work_dir,
                prefix=f'{record["run"]}_')
    if plots:
        with open(osp.join(args.work_dir, 'results.md'), 'a') as f:
            f.write('\n## SAKD rounds\n\n' +
                    '\n'.join(f'![{osp.basename(p)}]({osp.basename(p)})'
                              for p in plots) + '\n')
    print(f'demo finished in {time.time() - start:.0f}s')
    return out


if __name__ == '__main__':
    main()
