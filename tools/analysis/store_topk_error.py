"""What keeping only the top-k logits of a teacher-output store costs in KD
loss, measured on the rows of a store that holds full logits.

For every stored row ``z`` and each ``k``, the logits that a top-k store
gives back (:func:`~mmsakd.models.utils.teacher_store.decode_topk`) are
compared with ``z`` by the KD loss of Eq. 2, ``tau^2 * KL(softmax(z / tau)
|| softmax(z_k / tau))``: the loss that remains for a student that matches
the top-k targets exactly, where it would be 0 with the full logits. For
scale, the table also gives the same loss of a uniform student (all logits
equal).

Example (docs/method.md#teacher-output-store)::

    python tools/analysis/store_topk_error.py \\
        work_dirs/teacher_store/0123456789abcdef --topk 1,2,5 --tau 4
"""
import argparse
import json
import os.path as osp
import sys

import numpy as np
import torch

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

from mmsakd.models.losses.utils import soft_kl_per_sample  # noqa: E402
from mmsakd.models.utils.teacher_store import META_FILE  # noqa: E402
from mmsakd.models.utils.teacher_store import decode_topk, encode_topk


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('store', help='a store folder that holds full logits')
    parser.add_argument(
        '--topk', default='1,2,5', help='comma-separated k (default: 1,2,5)')
    parser.add_argument(
        '--tau', type=float, default=4.0, help='KD temperature (default 4)')
    parser.add_argument('--out', help='also write the table as JSON here')
    args = parser.parse_args(argv)
    if args.tau <= 0:
        parser.error(f'--tau must be > 0, got {args.tau}')
    try:
        args.topk = [int(k) for k in args.topk.split(',') if k.strip()]
    except ValueError:
        parser.error(f'--topk must be comma-separated integers, got '
                     f'{args.topk!r}')
    return args


def stored_rows(folder: str) -> torch.Tensor:
    """The stored rows of a full-logit store, ``(n, K)`` float32."""
    meta_file = osp.join(folder, META_FILE)
    if not osp.isfile(meta_file):
        raise FileNotFoundError(f'{folder} is not a teacher-output store '
                                f'({META_FILE} is missing)')
    with open(meta_file) as f:
        meta = json.load(f)
    if meta['format'].get('topk') is not None:
        raise ValueError(f'{folder} keeps top-{meta["format"]["topk"]} '
                         'logits only; the error needs a full store')
    values = np.load(osp.join(folder, 'values.npy'), mmap_mode='r')
    filled = np.load(osp.join(folder, 'filled.npy')) == 1
    return torch.from_numpy(np.asarray(values[filled], dtype=np.float32))


def topk_error(logits: torch.Tensor, topks, tau: float) -> list:
    """One row per ``k``: the mean, 95th percentile and largest KD loss
    between the full and the top-k logits, and the uniform student's."""
    num_classes = logits.shape[1]
    uniform = soft_kl_per_sample(torch.zeros_like(logits), logits, tau)
    rows = []
    for k in topks:
        if not 1 <= k < num_classes:
            raise ValueError(f'--topk values must be in [1, {num_classes}),'
                             f' got {k}')
        loss = soft_kl_per_sample(
            decode_topk(*encode_topk(logits, k), num_classes), logits, tau)
        rows.append(
            dict(
                topk=k,
                mean=float(loss.mean()),
                p95=float(loss.quantile(0.95)),
                max=float(loss.max()),
                uniform_mean=float(uniform.mean())))
    return rows


def main(argv=None) -> None:
    args = parse_args(argv)
    logits = stored_rows(args.store)
    if not len(logits):
        raise SystemExit(f'{args.store} holds no stored rows yet')
    rows = topk_error(logits, args.topk, args.tau)
    print(f'{len(logits)} stored rows of {logits.shape[1]} classes, '
          f'tau = {args.tau}')
    print('| k | KD loss vs full, mean | 95th pct | max | uniform student |')
    print('|---|---|---|---|---|')
    for row in rows:
        print(f'| {row["topk"]} | {row["mean"]:.4f} | {row["p95"]:.4f} | '
              f'{row["max"]:.4f} | {row["uniform_mean"]:.4f} |')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(
                dict(store=args.store, tau=args.tau, rows=rows), f, indent=1)


if __name__ == '__main__':
    main()
