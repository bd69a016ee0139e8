"""Benchmark SAKD's blocked greedy DPP selection on synthetic features.

Times :func:`mmsakd.selection.select_samples` for every size ``N`` and
feature dimension ``d`` with ``k = ceil(ratio * N)``, for ``partition='class'``
and ``'random'``, and compares the Eq. 8 objective of blocked selection with
unblocked selection (one block) at a small ``N``.

Features are clustered: ``C`` Gaussian class centres plus Gaussian noise of
the same scale, with the class as label (101 classes up to 20k samples, as
UCF101, and 400 above, as Kinetics-400); easiness is uniform in [0, 1].

Example::

    python tools/analysis/benchmark_selection.py
    python tools/analysis/benchmark_selection.py --quick --out bench.md
"""
import argparse
import json
import math
import os
import platform
import time
from typing import Dict, List, Tuple

import torch

from mmsakd.selection import partition_blocks, select_samples
from mmsakd.selection.select import selection_objective

#: (N, d) -> target seconds on a 2-core machine.
TARGETS = {(9500, None): 2.0, (240000, 512): 60.0}


def parse_size(text: str) -> int:
    """``'9.5k'`` -> 9500, ``'2m'`` -> 2000000, ``'500'`` -> 500."""
    text = text.strip().lower()
    scale = {'k': 1000, 'm': 1000000}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    return int(round(float(number) * scale))


def parse_list(text: str, parse=int) -> List[int]:
    return [parse(item) for item in text.split(',') if item.strip()]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark blocked greedy DPP selection (SAKD Eq. 8).')
    parser.add_argument(
        '--sizes',
        default='9.5k,100k,240k',
        help='comma-separated N, with k/m suffixes (default: %(default)s)')
    parser.add_argument(
        '--dims',
        default='256,512',
        help='comma-separated feature dims d (default: %(default)s)')
    parser.add_argument(
        '--ratio',
        type=float,
        default=0.1,
        help='selection ratio r (default: %(default)s)')
    parser.add_argument(
        '--block-size',
        type=int,
        default=4096,
        help='largest block (default: %(default)s)')
    parser.add_argument(
        '--gamma',
        type=float,
        default=0.5,
        help='easiness/diversity trade-off '
        '(default: %(default)s)')
    parser.add_argument(
        '--partitions',
        default='class,random',
        help='partitions to time (default: %(default)s)')
    parser.add_argument(
        '--objective-size',
        type=parse_size,
        default=5000,
        help='N of the blocked/unblocked objective '
        'comparison; 0 skips it (default: %(default)s)')
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch.set_num_threads (default: torch default)')
    parser.add_argument(
        '--seed',
        type=int,
        default=0,
        help='seed of the synthetic data (default: 0)')
    parser.add_argument(
        '--quick', action='store_true', help='small sizes for a smoke run')
    parser.add_argument(
        '--out',
        default=None,
        help='write the tables to this .md or .json file')
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.dims, args.objective_size = '2k', '64', 1000
    args.sizes = parse_list(args.sizes, parse_size)
    args.dims = parse_list(args.dims)
    args.partitions = [p.strip() for p in args.partitions.split(',')]
    if not 0 < args.ratio <= 1:
        parser.error(f'--ratio must be in (0, 1], got {args.ratio}')
    return args


def synthetic(n: int, d: int, seed: int) -> Tuple[torch.Tensor, ...]:
    """Clustered features ``(n, d)``, easiness ``(n,)`` and labels ``(n,)``."""
    classes = 101 if n <= 20000 else 400
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(classes, d, generator=g)
    labels = torch.randint(0, classes, (n, ), generator=g)
    feats = centres[labels] + torch.randn(n, d, generator=g)
    easiness = torch.rand(n, generator=g)
    return feats, easiness, labels


def target_of(n: int, d: int) -> str:
    for (tn, td), seconds in TARGETS.items():
        if n == tn and (td is None or td == d):
            return f'<= {seconds:g}'
    return ''


def time_rows(args: argparse.Namespace) -> List[Dict]:
    rows = []
    for n in args.sizes:
        for d in args.dims:
            feats, easiness, labels = synthetic(n, d, args.seed)
            k = math.ceil(args.ratio * n)
            for partition in args.partitions:
                blocks = partition_blocks(n, labels, partition,
                                          args.block_size)
                start = time.perf_counter()
                picked = select_samples(
                    feats,
                    easiness,
                    k,
                    gamma=args.gamma,
                    labels=labels,
                    partition=partition,
                    block_size=args.block_size)
                seconds = time.perf_counter() - start
                assert picked.unique().numel() == k
                row = dict(
                    N=n,
                    d=d,
                    k=k,
                    partition=partition,
                    blocks=len(blocks),
                    largest_block=max(b.numel() for b in blocks),
                    block_size=args.block_size,
                    seconds=round(seconds, 3),
                    target_s=target_of(n, d))
                rows.append(row)
                print(
                    '  ' + ', '.join(f'{key}={value}'
                                     for key, value in row.items()),
                    flush=True)
    return rows


def objective_rows(args: argparse.Namespace) -> List[Dict]:
    rows = []
    n = args.objective_size
    k = math.ceil(args.ratio * n)
    for d in args.dims:
        feats, easiness, labels = synthetic(n, d, args.seed)
        start = time.perf_counter()
        full = select_samples(
            feats,
            easiness,
            k,
            gamma=args.gamma,
            partition='random',
            block_size=n)
        full_s = time.perf_counter() - start
        obj_full = selection_objective(feats, easiness, full, args.gamma)
        g = torch.Generator().manual_seed(args.seed + 1)
        obj_rand = selection_objective(feats, easiness,
                                       torch.randperm(n, generator=g)[:k],
                                       args.gamma)
        for partition in args.partitions:
            start = time.perf_counter()
            picked = select_samples(
                feats,
                easiness,
                k,
                gamma=args.gamma,
                labels=labels,
                partition=partition,
                block_size=args.block_size)
            seconds = time.perf_counter() - start
            obj = selection_objective(feats, easiness, picked, args.gamma)
            row = dict(
                N=n,
                d=d,
                k=k,
                partition=partition,
                objective=round(obj, 2),
                unblocked=round(obj_full, 2),
                random_subset=round(obj_rand, 2),
                ratio=round(obj / obj_full, 4),
                gain_kept=round((obj - obj_rand) / (obj_full - obj_rand), 4),
                seconds=round(seconds, 3),
                unblocked_s=round(full_s, 3))
            rows.append(row)
            print(
                '  ' + ', '.join(f'{key}={value}'
                                 for key, value in row.items()),
                flush=True)
    return rows


def markdown(rows: List[Dict]) -> str:
    if not rows:
        return ''
    keys = list(rows[0])
    lines = [
        '| ' + ' | '.join(keys) + ' |',
        '|' + '|'.join('---' for _ in keys) + '|'
    ]
    lines += [
        '| ' + ' | '.join(str(r[key]) for key in keys) + ' |' for r in rows
    ]
    return '\n'.join(lines)


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    env = dict(
        cpu=platform.processor() or platform.machine(),
        nproc=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        torch=torch.__version__,
        ratio=args.ratio,
        gamma=args.gamma,
        block_size=args.block_size)
    print(
        'environment: ' + ', '.join(f'{k}={v}' for k, v in env.items()),
        flush=True)
    print('selection wall time:', flush=True)
    times = time_rows(args)
    objectives = []
    if args.objective_size:
        print(
            f'Eq. 8 objective at N={args.objective_size}, blocked vs '
            'unblocked (one block). ratio = blocked / unblocked; the '
            'objective is usually negative (log det of a k x k '
            'correlation matrix), so a ratio above 1 means worse. '
            'gain_kept = (blocked - random) / (unblocked - random), '
            'random = a uniformly random subset:',
            flush=True)
        objectives = objective_rows(args)
    print('\n' + markdown(times))
    if objectives:
        print('\n' + markdown(objectives))
    if args.out:
        if args.out.endswith('.json'):
            text = json.dumps(
                dict(environment=env, times=times, objectives=objectives),
                indent=2)
        else:
            text = '\n\n'.join([
                'environment: ' + ', '.join(f'{k}={v}'
                                            for k, v in env.items()),
                markdown(times),
                markdown(objectives)
            ]) + '\n'
        with open(args.out, 'w') as f:
            f.write(text)


if __name__ == '__main__':
    main()
