"""Peak memory per rank of one SAKD selection round at Kinetics-400 scale.

Runs the round of ``SAKDHook`` (:class:`mmsakd.engine.sakd.SAKDRound`:
the scoring pass with its gather, the
projection, Eq. 5-8 on rank 0, the broadcast of the new state) in
``--world-size`` gloo processes on synthetic tensors: a stand-in
distiller returns, for every clip, a KD loss and a ``--channels``-wide
pooled teacher feature drawn from the clip's index (SlowFast R101's pooled
slow and fast pathways: 2048 + 256 = 2304), projected to ``--d-max``
(512). Nothing is decoded and no network runs, so the figures isolate the
per-sample state that SAKD gathers, keeps and sends.

Each rank reports its peak resident memory (``ru_maxrss``) before the
round (the loader, the stand-in and the round's state) and after it, the
width of the fused features it holds, and a digest of its subset and
strengths, which must agree across ranks.

Example (the figures of docs/benchmarks.md#memory-at-kinetics-scale)::

    python tools/analysis/measure_sakd_memory.py --num-samples 240000 \\
        --out work_dirs/sakd_memory.json
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import resource
import socket
import sys
import tempfile

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402
from mmaction.structures import ActionDataSample  # noqa: E402
from torch.utils.data import Dataset  # noqa: E402

import mmsakd  # noqa: E402,F401
from mmsakd.engine.sakd import SAKDState  # noqa: E402
from mmsakd.engine.sakd import SAKDRound, round_message, round_record


class IndexClips(Dataset):
    """Item ``i`` is a one-value clip whose ``sample_idx`` is ``i``."""

    def __init__(self, num: int) -> None:
        self.num = num

    def __len__(self) -> int:
        return self.num

    def __getitem__(self, i: int) -> dict:
        sample = ActionDataSample()
        sample.set_metainfo(dict(sample_idx=i))
        return dict(inputs=torch.tensor([float(i)]), data_samples=sample)


class StandIn:
    """A distiller's scoring interface: the loss and the ``channels``-wide
    feature of clip ``i`` are drawn from a generator seeded by ``i``'s
    batch, so every world size scores the same values."""

    def __init__(self, channels: int) -> None:
        self.channels = channels

    def data_preprocessor(self, data: dict, training: bool) -> dict:
        return dict(
            inputs=torch.stack(data['inputs']),
            data_samples=data['data_samples'])

    def score(self, inputs, data_samples) -> dict:
        first = int(data_samples[0].sample_idx)
        gen = torch.Generator().manual_seed(first)
        return dict(
            kd_loss=torch.rand(len(inputs), generator=gen),
            teacher_feat=torch.randn(
                len(inputs), self.channels, generator=gen))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _digest(*values) -> str:
    return hashlib.sha1(repr(values).encode()).hexdigest()[:12]


def _rank(rank: int, args: argparse.Namespace, port: int,
          out_dir: str) -> None:
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=args.world_size)
    num = args.num_samples
    dataset = IndexClips(num)
    sakd_round = SAKDRound(
        scorer=dict(
            type='InterruptionScorer',
            d_max=args.d_max,
            batch_size=args.batch_size))
    sakd_round.scorer.attach_dataset(dataset)
    state = SAKDState(num)
    labels = torch.arange(num) % args.num_classes
    dist.barrier()
    before = _peak_mib()
    result = sakd_round.run(
        StandIn(args.channels),
        state,
        epoch=0,
        max_epochs=10,
        ratio=args.ratio,
        labels=labels)
    dist.barrier()
    if rank == 0:
        record = round_record(result, state, labels, 0, sakd_round.scorer.eta)
        print(round_message(record), flush=True)
    report = dict(
        rank=rank,
        peak_before_round_mib=round(before, 1),
        peak_mib=round(_peak_mib(), 1),
        feat_shape=None if state.feat is None else list(state.feat.shape),
        state_digest=_digest(state.subset, state.omega.tolist(),
                             state.alpha.tolist()))
    with open(osp.join(out_dir, f'rank{rank}.json'), 'w') as f:
        json.dump(report, f)
    dist.destroy_process_group()


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--num-samples', type=int, default=240000, help='clips N')
    parser.add_argument(
        '--channels',
        type=int,
        default=2304,
        help='pooled teacher feature width before projection')
    parser.add_argument(
        '--d-max', type=int, default=512, help='width after projection')
    parser.add_argument('--num-classes', type=int, default=400, help='classes')
    parser.add_argument('--ratio', type=float, default=0.1, help='ratio r')
    parser.add_argument(
        '--batch-size', type=int, default=512, help='scoring batch size')
    parser.add_argument(
        '--world-size', type=int, default=2, help='gloo processes')
    parser.add_argument('--out', help='JSON file of the per-rank figures')
    return parser.parse_args(argv)


def main(argv=None) -> list:
    args = parse_args(argv)
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as out_dir:
        mp.spawn(_rank, args=(args, port, out_dir), nprocs=args.world_size)
        reports = []
        for rank in range(args.world_size):
            with open(osp.join(out_dir, f'rank{rank}.json')) as f:
                reports.append(json.load(f))
    print(f'N={args.num_samples}, c={args.channels} -> d={args.d_max}, '
          f'{args.world_size} gloo ranks')
    print('rank  peak before round (MiB)  peak (MiB)  fused features')
    for r in reports:
        print(f'{r["rank"]:>4}  {r["peak_before_round_mib"]:>23.1f}  '
              f'{r["peak_mib"]:>10.1f}  {r["feat_shape"]}')
    if len({r['state_digest'] for r in reports}) != 1:
        raise RuntimeError('the ranks hold different subsets or strengths')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(dict(settings=vars(args), ranks=reports), f, indent=1)
    return reports


if __name__ == '__main__':
    main()
