"""Fill a config's teacher-output store in one inference pass, before any
student trains (docs/method.md#teacher-output-store). In a clone::

    python tools/precompute_teacher.py CONFIG [--batch-size 64]
    tools/dist_train.sh CONFIG 4 ... (see --launcher)

and where the package is installed, ``python -m
mmsakd.tools.precompute_teacher`` with the same arguments. The config must
have a ``TeacherStoreHook`` in ``custom_hooks``; the pass writes the views
that the training run will read (every epoch's view, or the
``num_views`` of ``ReplayAugmentation``), skips what the store already
holds (so an interrupted pass continues where it stopped) and splits the
clips over the ranks.
"""
import argparse
from typing import Optional, Sequence

from mmengine.config import Config, DictAction

import mmsakd  # noqa: F401  (compat fixes before mmaction.models)
from mmsakd.engine.hooks import TeacherStoreHook
from mmsakd.utils import (add_launcher_arguments, apply_launcher_defaults,
                          build_runner, finish_distributed, log_failure,
                          parse_launcher_args)
from .entry_point import set_work_dir


def parse_args(argv: Optional[Sequence[str]] = None):
    parser = argparse.ArgumentParser(
        description='Fill the teacher-output store of a distillation config')
    parser.add_argument('config', help='distillation config file path')
    parser.add_argument('--work-dir', help='the dir to save logs')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=None,
        help='clips per teacher forward (default: 4x the training batch)')
    parser.add_argument(
        '--num-workers',
        type=int,
        default=None,
        help='dataloader workers (default: the training loader\'s)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as in tools/train.py')
    add_launcher_arguments(parser)
    args = parse_launcher_args(parser, argv)
    for name in ('batch_size', 'num_workers'):
        value = getattr(args, name)
        low = 1 if name == 'batch_size' else 0
        if value is not None and value < low:
            parser.error(f'--{name.replace("_", "-")} must be >= {low}, '
                         f'got {value}')
    return args


def merge_args(cfg: Config, args) -> Config:
    """Merge CLI arguments into the config; the pass does not validate."""
    cfg.launcher = args.launcher
    set_work_dir(cfg, args.work_dir, args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    return apply_launcher_defaults(cfg)


def fill_store(runner,
               batch_size: Optional[int] = None,
               num_workers: Optional[int] = None) -> int:
    """Open the store of the runner's ``TeacherStoreHook`` and fill every
    view it lacks (:meth:`TeacherStoreHook.fill_missing`).

    Args:
        runner (Runner): A runner built from a distillation config with a
            ``TeacherStoreHook``.
        batch_size (int, optional): Clips per forward; None: 4x the
            training batch. Defaults to None.
        num_workers (int, optional): Loader workers; None: the training
            loader's. Defaults to None.

    Returns:
        int: The number of clip views this rank wrote.
    """
    hooks = [h for h in runner.hooks if isinstance(h, TeacherStoreHook)]
    if not hooks:
        raise ValueError(
            'the config has no TeacherStoreHook in custom_hooks: there is '
            "no store to fill; add dict(type='TeacherStoreHook')")
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    # The pass below fills the store with this tool's loader settings.
    hooks[0].prefill = False
    hooks[0].before_train(runner)
    return hooks[0].fill_missing(runner, batch_size, num_workers)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Run from the command line; ``argv`` defaults to ``sys.argv[1:]``."""
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    runner = build_runner(cfg)
    with log_failure(runner):
        fill_store(runner, args.batch_size, args.num_workers)
    finish_distributed()


if __name__ == '__main__':
    main()
