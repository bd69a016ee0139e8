"""Let mmengine 0.10.7 start distributed training on machines without CUDA.

``mmengine.dist.utils._init_dist_pytorch`` and ``_init_dist_slurm`` call
``torch.cuda.set_device`` unconditionally, which fails without CUDA; the
Slurm one also derives the local rank as ``SLURM_PROCID % device_count()``
when ``SLURM_LOCALID`` is unset, a division by zero without GPUs. Where no
accelerator is present, the patched initialisers skip ``set_device`` and,
since NCCL needs GPUs, replace the ``nccl`` backend (mmaction's default
``env_cfg``) by ``gloo``. With CUDA (or another accelerator mmengine knows),
or with an ``init_backend`` other than ``'torch'``, the original functions
run unchanged. The model wrapper that DDP needs on CPU is
:class:`mmsakd.compat.DeviceAwareDistributedDataParallel`.
"""
import functools
import os
import subprocess
from typing import Callable, Optional

import torch
import torch.distributed as torch_dist
from mmengine.device import (is_mlu_available, is_musa_available,
                             is_npu_available)
from mmengine.dist import utils as dist_utils
from mmengine.logging import print_log

SLURM_VARIABLES = ('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST',
                   'SLURM_LOCALID')


def has_accelerator() -> bool:
    """Whether mmengine's distributed initialiser can bind a device."""
    return (torch.cuda.is_available() or is_mlu_available()
            or is_npu_available() or is_musa_available())


def _cpu_backend(backend: str) -> str:
    if backend == 'nccl':
        print_log(
            'No CUDA device: using the gloo backend instead of nccl.',
            logger='current')
        return 'gloo'
    return backend


def set_slurm_env(port: Optional[int] = None, **kwargs) -> dict:
    """Export the variables ``torch.distributed`` reads, from Slurm's.

    Sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and ``MASTER_PORT`` (from
    ``port``, else the environment, else 29500) the way mmengine's Slurm
    initialiser does, but takes the local rank from ``SLURM_LOCALID`` only:
    without GPUs there is no device count to derive it from. ``MASTER_ADDR``
    is kept if set, else it is the first host of ``SLURM_NODELIST`` as
    ``scontrol show hostname`` lists them.

    Args:
        port (int, optional): Master port. Defaults to None.
        **kwargs: The remaining options of ``init_process_group``.

    Returns:
        dict: ``kwargs``, for ``init_process_group``.
    """
    missing = [name for name in SLURM_VARIABLES if name not in os.environ]
    if missing:
        raise KeyError(f'--launcher slurm needs the Slurm variables '
                       f'{", ".join(SLURM_VARIABLES)} (set by srun); '
                       f'missing: {", ".join(missing)}')
    if port is not None:
        os.environ['MASTER_PORT'] = str(port)
    else:
        os.environ.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in os.environ:
        node_list = os.environ['SLURM_NODELIST']
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {node_list} | head -n1')
    os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
    os.environ['LOCAL_RANK'] = os.environ['SLURM_LOCALID']
    os.environ['RANK'] = os.environ['SLURM_PROCID']
    return kwargs


def _wrap_for_cpu(original: Callable,
                  set_env: Optional[Callable] = None) -> Callable:
    """An initialiser that runs ``original`` where a device can be bound and
    otherwise ``set_env`` (if any) and a CPU process group."""

    @functools.wraps(original)
    def init_dist_cpu(backend, init_backend='torch', **kwargs) -> None:
        if has_accelerator() or init_backend != 'torch':
            return original(backend, init_backend=init_backend, **kwargs)
        if set_env is not None:
            kwargs = set_env(**kwargs)
        torch_dist.init_process_group(backend=_cpu_backend(backend), **kwargs)

    init_dist_cpu._mmsakd_original = original
    return init_dist_cpu


def _patch_initialiser(name: str, set_env: Optional[Callable]) -> bool:
    current = getattr(dist_utils, name)
    if not hasattr(current, '_mmsakd_original'):
        setattr(dist_utils, name, _wrap_for_cpu(current, set_env))
    return True


def patch_cpu_distributed() -> bool:
    """Make ``init_dist('pytorch')`` work without CUDA. Idempotent.

    Returns:
        bool: True once the patched initialiser is installed.
    """
    return _patch_initialiser('_init_dist_pytorch', None)


def patch_cpu_slurm() -> bool:
    """Make ``init_dist('slurm')`` work without CUDA. Idempotent.

    Returns:
        bool: True once the patched initialiser is installed.
    """
    return _patch_initialiser('_init_dist_slurm', set_slurm_env)
