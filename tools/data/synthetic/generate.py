"""Generate the built-in synthetic action-video dataset.

Example::

    python tools/data/synthetic/generate.py                  # data/synthetic
    python tools/data/synthetic/generate.py --num-train 200 --num-val 50 \
        --out data/synthetic_small --seed 1
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '../../..')))

from mmsakd.datasets.synthetic import (CLASSES, SyntheticActionConfig,
                                       dataset_is_complete, generate_dataset)


def parse_args():
    defaults = SyntheticActionConfig()
    parser = argparse.ArgumentParser(
        description='Generate the synthetic action-video dataset (.mp4 clips '
        'and MMAction2 VideoDataset annotation lists).')
    parser.add_argument(
        '--out', default='data/synthetic', help='output folder')
    parser.add_argument('--num-train', type=int, default=defaults.num_train)
    parser.add_argument('--num-val', type=int, default=defaults.num_val)
    parser.add_argument('--num-frames', type=int, default=defaults.num_frames)
    parser.add_argument('--frame-size', type=int, default=defaults.frame_size)
    parser.add_argument('--seed', type=int, default=defaults.seed)
    parser.add_argument(
        '--workers', type=int, default=0, help='worker processes')
    parser.add_argument(
        '--force',
        action='store_true',
        help='regenerate even if a complete dataset with the same settings '
        'is already there')
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = SyntheticActionConfig(
        num_train=args.num_train,
        num_val=args.num_val,
        num_frames=args.num_frames,
        frame_size=args.frame_size,
        seed=args.seed)
    if not args.force and dataset_is_complete(args.out, cfg):
        print(f'{args.out} already holds this dataset; use --force to '
              'regenerate.')
        return
    start = time.time()
    paths = generate_dataset(args.out, cfg, num_workers=args.workers)
    print(f'\nWrote {cfg.num_train} train and {cfg.num_val} val clips '
          f'({len(CLASSES)} classes, {cfg.num_frames} frames of '
          f'{cfg.frame_size}x{cfg.frame_size}) to {args.out} in '
          f'{time.time() - start:.1f} s: {paths["train"]}, {paths["val"]}, '
          f'{paths["classes"]}')


if __name__ == '__main__':
    main()
