import argparse
import contextlib
import os
import time
from typing import Iterator, Optional, Sequence

import torch.distributed as torch_dist
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


def finish_distributed(grace: float = 0.2) -> None:
    """End a successful distributed run while the interpreter is alive:
    wait for every rank, destroy the default process group and give gloo's
    worker threads ``grace`` seconds to drop their last tensors. A no-op
    outside distributed runs.

    A gloo worker thread releases a collective's tensors just after the
    caller's ``wait`` returns, and the barrier it runs keeps the collectives
    before it alive. If that release comes while the interpreter finalises,
    freeing a tensor that Python created needs the GIL of a dying
    interpreter, and a run that succeeded ends in SIGABRT ("terminate called
    without an active exception"). Holding the barrier's work until after
    the grace period moves the release of everything it holds to this
    thread; the sleep releases the GIL so a worker still finishing an
    earlier collective can take it.

    Args:
        grace (float): Seconds to wait after the barrier, >= 0. Defaults
            to 0.2.
    """
    if not grace >= 0:
        raise ValueError(f'grace must be >= 0 seconds, got {grace}')
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return
    work = torch_dist.barrier(async_op=True)
    work.wait()
    torch_dist.destroy_process_group()
    time.sleep(grace)
    del work


@contextlib.contextmanager
def log_failure(runner) -> Iterator[None]:
    """Log an exception that ends the run to the runner's logger, so that
    the run's log file in the work dir keeps it too, then re-raise it.

    A dataloader worker's error arrives here with the worker's message and
    traceback, e.g. the clip that could not be read
    (:class:`~mmsakd.datasets.ClipLoadError`).

    Args:
        runner: The Runner of the run.
    """
    try:
        yield
    except Exception as err:
        runner.logger.error(f'The run stopped: {type(err).__name__}: {err}')
        raise
