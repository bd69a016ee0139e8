"""Let mmengine 0.10.7 start distributed training on machines without CUDA.

``mmengine.dist.utils._init_dist_pytorch`` calls ``torch.cuda.set_device``
unconditionally, which fails without CUDA. Where no accelerator is present,
the patched initialiser skips it and, since NCCL needs GPUs, replaces the
``nccl`` backend (mmaction's default ``env_cfg``) by ``gloo``. With CUDA (or
another accelerator mmengine knows) the original function runs unchanged.
The model wrapper that DDP needs on CPU is
:class:`mmsakd.compat.DeviceAwareDistributedDataParallel`.
"""
import functools

import torch
import torch.distributed as torch_dist
from mmengine.device import (is_mlu_available, is_musa_available,
                             is_npu_available)
from mmengine.dist import utils as dist_utils
from mmengine.logging import print_log


def has_accelerator() -> bool:
    """Whether mmengine's distributed initialiser can bind a device."""
    return (torch.cuda.is_available() or is_mlu_available()
            or is_npu_available() or is_musa_available())


def _wrap_init_dist_pytorch(original):

    @functools.wraps(original)
    def init_dist_pytorch(backend, init_backend='torch', **kwargs) -> None:
        if has_accelerator() or init_backend != 'torch':
            return original(backend, init_backend=init_backend, **kwargs)
        if backend == 'nccl':
            print_log(
                'No CUDA device: using the gloo backend instead of nccl.',
                logger='current')
            backend = 'gloo'
        torch_dist.init_process_group(backend=backend, **kwargs)

    init_dist_pytorch._mmsakd_original = original
    return init_dist_pytorch


def patch_cpu_distributed() -> bool:
    """Make ``init_dist('pytorch')`` work without CUDA. Idempotent.

    Returns:
        bool: True once the patched initialiser is installed.
    """
    current = dist_utils._init_dist_pytorch
    if not hasattr(current, '_mmsakd_original'):
        dist_utils._init_dist_pytorch = _wrap_init_dist_pytorch(current)
    return True
