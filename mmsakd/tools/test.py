"""Test (and evaluate) a checkpoint from a config, like MMAction2's
``tools/test.py``, with mmsakd's fixes applied before anything is built.
In a clone::

    python tools/test.py CONFIG CHECKPOINT ...

and where the package is installed, ``mmsakd-test`` or ``python -m
mmsakd.tools.test`` with the same arguments.
"""
import argparse
import os.path as osp

from mmengine.config import DictAction

import mmsakd  # noqa: F401  (compat fixes before mmaction.models)
from mmsakd.tools.entry_point import run, set_work_dir
from mmsakd.utils import (add_launcher_arguments, apply_launcher_defaults,
                          parse_launcher_args)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Test (and evaluate) an action recognizer')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--dump',
        type=str,
        help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file.')
    parser.add_argument(
        '--show-dir',
        help='directory where the visualization images will be saved.')
    parser.add_argument(
        '--show',
        action='store_true',
        help='whether to display the prediction results in a window.')
    parser.add_argument(
        '--interval',
        type=int,
        default=1,
        help='visualize per interval samples.')
    parser.add_argument(
        '--wait-time',
        type=float,
        default=2,
        help='display time of every window. (second)')
    add_launcher_arguments(parser)
    return parse_launcher_args(parser, argv)


def merge_args(cfg, args):
    """Merge CLI arguments into the config."""
    if args.show or args.show_dir is not None:
        if 'visualization' not in cfg.default_hooks:
            raise KeyError('--show/--show-dir need default_hooks.'
                           'visualization=dict(type="VisualizationHook") '
                           'in the config')
        cfg.default_hooks.visualization.enable = True
        cfg.default_hooks.visualization.show = args.show
        cfg.default_hooks.visualization.wait_time = args.wait_time
        cfg.default_hooks.visualization.out_dir = args.show_dir
        cfg.default_hooks.visualization.interval = args.interval

    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump must name a .pkl file, got {args.dump}')
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        if isinstance(cfg.test_evaluator, (list, tuple)):
            cfg.test_evaluator = list(cfg.test_evaluator) + [dump_metric]
        else:
            cfg.test_evaluator = [cfg.test_evaluator, dump_metric]

    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    set_work_dir(cfg, args.work_dir, args.config)

    if not osp.isfile(osp.expanduser(args.checkpoint)) and '://' not in \
            args.checkpoint:
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    cfg.load_from = args.checkpoint
    return apply_launcher_defaults(cfg)


def main(argv=None):
    """Run from the command line; ``argv`` defaults to ``sys.argv[1:]``."""
    run(argv, parse_args, merge_args, 'test')


if __name__ == '__main__':
    main()
