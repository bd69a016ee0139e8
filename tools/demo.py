"""The ``make demo`` job: synthetic data, the tiny SlowFast teacher, its
accuracy.

Steps (each skipped when its output already exists):

1. generate the synthetic action dataset under ``--data-root``;
2. train the tiny SlowFast teacher
   (``configs/teachers/slowfast_tiny_teacher_synthetic.py``) and copy its
   last checkpoint to ``--teacher-ckpt``, the path the distillation configs
   read;
3. evaluate the teacher on the validation split and print top-1/top-5.

``--quick`` runs the same steps on a few dozen clips for one epoch, in its own
folders, as a smoke test.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
import time

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..')))

import mmsakd  # noqa: E402,F401  (compat fixes before mmaction.models)
from mmengine.config import Config  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmsakd.datasets.synthetic import (  # noqa: E402
    SyntheticActionConfig, dataset_is_complete, generate_dataset)

TEACHER_CONFIG = 'configs/teachers/slowfast_tiny_teacher_synthetic.py'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument(
        '--teacher-ckpt',
        default='checkpoints/slowfast_tiny_teacher_synthetic.pth')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='a smoke run: 40 training and 20 validation clips, one epoch, '
        'written under <work-dir>/quick')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def _dataset_options(cfg: Config, data_root: str) -> None:
    """Point every dataloader of ``cfg`` at ``data_root``."""
    for split, ann in (('train', 'train.txt'), ('val', 'val.txt'),
                       ('test', 'val.txt')):
        dataset = cfg[f'{split}_dataloader'].dataset
        dataset.ann_file = osp.join(data_root, ann)
        dataset.data_prefix = dict(video=osp.join(data_root, 'videos'))


def _build_teacher_cfg(args, work_dir: str) -> Config:
    cfg = Config.fromfile(TEACHER_CONFIG)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=args.seed, deterministic=False)
    _dataset_options(cfg, args.data_root)
    if args.quick:
        cfg.train_cfg.max_epochs = 1
        cfg.param_scheduler[0].T_max = 1
        cfg.param_scheduler[0].end = 1
        cfg.default_hooks.logger.interval = 1
    return cfg


def step(title: str):
    print(f'\n==> {title}', flush=True)
    return time.time()


def main():
    args = parse_args()
    if args.quick:
        args.work_dir = osp.join(args.work_dir, 'quick')
        args.data_root = osp.join(args.work_dir, 'data')
        args.teacher_ckpt = osp.join(args.work_dir, 'teacher.pth')
        data_cfg = SyntheticActionConfig(
            num_train=40, num_val=20, seed=args.seed)
    else:
        data_cfg = SyntheticActionConfig(seed=args.seed)
    os.makedirs(args.work_dir, exist_ok=True)
    timings = {}

    start = step(f'1/3 synthetic dataset in {args.data_root}')
    if dataset_is_complete(args.data_root, data_cfg):
        print('already generated')
    else:
        generate_dataset(args.data_root, data_cfg)
        print()
    timings['data_s'] = time.time() - start

    teacher_dir = osp.join(args.work_dir, 'teacher_slowfast')
    cfg = _build_teacher_cfg(args, teacher_dir)
    start = step(f'2/3 train the tiny SlowFast teacher ({TEACHER_CONFIG}, '
                 f'{cfg.train_cfg.max_epochs} epochs)')
    if osp.isfile(args.teacher_ckpt):
        print(f'found {args.teacher_ckpt}; delete it to retrain')
        cfg.load_from = args.teacher_ckpt
        runner = Runner.from_cfg(cfg)
    else:
        runner = Runner.from_cfg(cfg)
        runner.train()
        with open(osp.join(teacher_dir, 'last_checkpoint')) as f:
            last = f.read().strip()
        os.makedirs(osp.dirname(osp.abspath(args.teacher_ckpt)),
                    exist_ok=True)
        tmp = args.teacher_ckpt + '.tmp'
        shutil.copyfile(last, tmp)
        os.replace(tmp, args.teacher_ckpt)
        print(f'teacher checkpoint: {args.teacher_ckpt}')
    timings['teacher_train_s'] = time.time() - start

    start = step('3/3 evaluate the teacher on the validation split')
    metrics = runner.test()
    timings['teacher_test_s'] = time.time() - start

    result = dict(
        teacher_config=TEACHER_CONFIG,
        teacher_checkpoint=args.teacher_ckpt,
        top1=metrics['acc/top1'],
        top5=metrics['acc/top5'],
        **{k: round(v, 1)
           for k, v in timings.items()})
    with open(osp.join(args.work_dir, 'teacher_results.json'), 'w') as f:
        json.dump(result, f, indent=2)
    print('\n| model | top-1 | top-5 | data (s) | train (s) | test (s) |')
    print('|---|---|---|---|---|---|')
    print(f'| tiny SlowFast teacher | {100 * result["top1"]:.1f} | '
          f'{100 * result["top5"]:.1f} | {result["data_s"]} | '
          f'{result["teacher_train_s"]} | {result["teacher_test_s"]} |')
    print(f'results: {osp.join(args.work_dir, "teacher_results.json")}')


if __name__ == '__main__':
    main()
