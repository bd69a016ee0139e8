import argparse
import os
from typing import Optional, Sequence

from mmengine.config import Config
from mmengine.runner import Runner

from mmsakd.registry import RUNNERS


def apply_launcher_defaults(cfg: Config) -> Config:
    """Fill in what distributed runs need and a plain MMAction2 config lacks.

    mmengine's default DDP wrapper passes ``device_ids=[LOCAL_RANK]``, which
    fails for CPU modules; when a config names no ``model_wrapper_cfg``, use
    :class:`DeviceAwareDistributedDataParallel`, which behaves the same on
    GPUs. Non-distributed runs are unaffected.

    Args:
        cfg (Config): The merged config, modified in place.

    Returns:
        Config: ``cfg``.
    """
    if cfg.get('launcher',
               'none') != 'none' and cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(type='DeviceAwareDistributedDataParallel')
    return cfg


def add_launcher_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--launcher`` and ``--local-rank`` options of MMAction2's
    ``tools/train.py`` and ``tools/test.py``."""
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_launcher_args(parser: argparse.ArgumentParser,
                        argv: Optional[Sequence[str]] = None
                        ) -> argparse.Namespace:
    """Parse ``argv`` and export ``--local-rank`` as ``LOCAL_RANK`` unless a
    launcher already set it, as MMEngine reads it from the environment."""
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def build_runner(cfg: Config):
    """The Runner of ``cfg``: MMEngine's, or the registered ``runner_type``.
    """
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)
