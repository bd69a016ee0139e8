"""Train a recognizer or distiller from a config, like MMAction2's
``tools/train.py``, with mmsakd's fixes applied before anything is built.
In a clone::

    python tools/train.py CONFIG ...

and where the package is installed, ``mmsakd-train`` or ``python -m
mmsakd.tools.train`` with the same arguments.
"""
import argparse

from mmengine.config import DictAction

import mmsakd  # noqa: F401  (compat fixes before mmaction.models)
from mmsakd.tools.entry_point import run, set_work_dir
from mmsakd.utils import (add_launcher_arguments, apply_launcher_defaults,
                          parse_launcher_args)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train an action recognizer')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='If specify checkpoint path, resume from it, while if not '
        'specify, try to auto resume from the latest checkpoint '
        'in the work directory.')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic-mixed-precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='whether not to evaluate the checkpoint during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='whether to auto scale the learning rate according to the '
        'actual batch size and the original batch size.')
    parser.add_argument(
        '--seed',
        type=int,
        default=None,
        help='random seed (overrides the '
        'config\'s randomness.seed)')
    parser.add_argument(
        '--diff-rank-seed',
        action='store_true',
        help='whether or not set different seeds for different ranks')
    parser.add_argument(
        '--deterministic',
        action='store_true',
        help='whether to set deterministic options for CUDNN backend.')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')
    add_launcher_arguments(parser)
    return parse_launcher_args(parser, argv)


def merge_args(cfg, args):
    """Merge CLI arguments into the config."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None

    cfg.launcher = args.launcher
    set_work_dir(cfg, args.work_dir, args.config)

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError('--amp supports optim_wrapper.type '
                             '"OptimWrapper" or "AmpOptimWrapper", got '
                             f'"{optim_wrapper}"')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True

    # Command-line seed options override the config's.
    randomness = cfg.get('randomness', None) or dict()
    if args.seed is not None:
        randomness['seed'] = args.seed
    if args.diff_rank_seed:
        randomness['diff_rank_seed'] = True
    if args.deterministic:
        randomness['deterministic'] = True
    cfg.randomness = randomness

    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return apply_launcher_defaults(cfg)


def main(argv=None):
    """Run from the command line; ``argv`` defaults to ``sys.argv[1:]``."""
    run(argv, parse_args, merge_args, 'train')


if __name__ == '__main__':
    main()
