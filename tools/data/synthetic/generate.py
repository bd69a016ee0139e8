"""Generate the built-in synthetic action-video dataset.

Example::

    python tools/data/synthetic/generate.py                  # data/synthetic
    python tools/data/synthetic/generate.py --num-train 200 --num-val 50 \
        --out data/synthetic_small --seed 1
    # 24-frame clips for the random temporal offsets of
    # configs/_base_/datasets/synthetic_action_aug.py
    python tools/data/synthetic/generate.py --num-frames 24 \
        --out data/synthetic_aug
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '../../..')))

from mmsakd.datasets.synthetic import (SyntheticActionConfig,
                                       dataset_is_complete, generate_dataset)

# The clip_len of SampleFrames in configs/_base_/datasets/synthetic_action*.py.
CONFIG_CLIP_LEN = 16


def parse_args():
    defaults = SyntheticActionConfig()
    parser = argparse.ArgumentParser(
        description='Generate the synthetic action-video dataset (.mp4 clips '
        'and MMAction2 VideoDataset annotation lists).')
    parser.add_argument(
        '--out', default='data/synthetic', help='output folder')
    parser.add_argument('--num-train', type=int, default=defaults.num_train)
    parser.add_argument('--num-val', type=int, default=defaults.num_val)
    parser.add_argument(
        '--num-frames',
        type=int,
        default=defaults.num_frames,
        help='frames written per clip, >= --clip-len; more frames extend '
        'each clip in time around the --clip-len frames')
    parser.add_argument(
        '--clip-len',
        type=int,
        default=CONFIG_CLIP_LEN,
        help='frames that the motion is timed for, >= 4: the clip_len that '
        'configs sample (configs/_base_/datasets/synthetic_action*.py)')
    parser.add_argument('--frame-size', type=int, default=defaults.frame_size)
    parser.add_argument('--seed', type=int, default=defaults.seed)
    parser.add_argument(
        '--clips-per-group',
        type=int,
        default=defaults.clips_per_group,
        help='clips cut from each group\'s video, as UCF101\'s groups are '
        '(docs/synthetic_dataset.md#groups); --num-train and --num-val must '
        'be multiples of it')
    parser.add_argument(
        '--workers', type=int, default=0, help='worker processes')
    parser.add_argument(
        '--force',
        action='store_true',
        help='regenerate even if a complete dataset with the same settings '
        'is already there')
    args = parser.parse_args()
    if args.clip_len < 4:
        parser.error(f'--clip-len must be >= 4, got {args.clip_len}')
    if args.num_frames < args.clip_len:
        parser.error(
            f'--num-frames must be >= --clip-len ({args.clip_len}: the '
            'frames a pipeline samples from each clip), got '
            f'{args.num_frames}; give a smaller --clip-len for shorter '
            'clips')
    return args


def main():
    args = parse_args()
    try:
        cfg = SyntheticActionConfig(
            num_train=args.num_train,
            num_val=args.num_val,
            num_frames=args.num_frames,
            clip_len=args.clip_len,
            frame_size=args.frame_size,
            seed=args.seed,
            clips_per_group=args.clips_per_group)
    except ValueError as err:
        raise SystemExit(f'generate.py: error: {err}')
    if not args.force and dataset_is_complete(args.out, cfg):
        print(f'{args.out} already holds this dataset; use --force to '
              'regenerate.')
        return
    start = time.time()
    paths = generate_dataset(args.out, cfg, num_workers=args.workers)
    around = f', motion timed for {cfg.clip_len}' if cfg.clip_len else ''
    if cfg.clips_per_group > 1:
        around += (f', {cfg.num_groups("train")} + {cfg.num_groups("val")} '
                   f'groups of {cfg.clips_per_group} clips')
    print(f'\nWrote {cfg.num_train} train and {cfg.num_val} val clips '
          f'({len(cfg.classes)} classes, {cfg.num_frames} frames{around} of '
          f'{cfg.frame_size}x{cfg.frame_size}) to {args.out} in '
          f'{time.time() - start:.1f} s: {paths["train"]}, {paths["val"]}, '
          f'{paths["classes"]}')


if __name__ == '__main__':
    main()
