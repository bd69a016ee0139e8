"""Load mmengine's local checkpoints on the CPU, on every torch version.

torch 2.6 made ``torch.load`` default to ``weights_only=True``; mmengine
0.10.7 checkpoints hold a ``HistoryBuffer``, numpy dtypes and other globals
that the safe unpickler refuses, so ``resume`` and ``load_from`` fail.
Allow-listing globals one by one does not cover them all.

``Runner.resume`` also loads with ``map_location`` set to the current
device, so on a GPU every tensor of the checkpoint, the per-sample state of
mmsakd's hooks included, would be copied to each rank's GPU before the
hooks move it back, and the random state would reach
``torch.set_rng_state`` as a CUDA tensor, which it refuses.

This module re-registers mmengine's local-file scheme (the empty prefix)
with a loader that passes ``weights_only=False`` and maps every tensor to
the CPU; remote schemes are left as they are.

Checkpoints are pickles: load only files from a trusted source.
"""
import os.path as osp

import torch
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.utils import digit_version


def torch_loads_weights_only_by_default() -> bool:
    """Whether ``torch.load`` defaults to ``weights_only=True``."""
    return digit_version(torch.__version__) >= digit_version('2.6.0')


def load_from_local_trusted(filename: str, map_location=None) -> dict:
    """Load a local checkpoint file written by mmengine, on the CPU.

    Every tensor is loaded to the CPU, whatever ``map_location`` asks for.
    Nothing that reads a checkpoint needs it elsewhere: a module's
    ``load_state_dict`` copies into its parameters' devices, torch's
    ``Optimizer.load_state_dict`` casts each state to its parameter's
    device, and mmsakd's hooks and teacher cache keep their state on the
    CPU. Honouring ``Runner.resume``'s ``map_location`` (the current
    device) would instead copy every hook's per-sample state (the fused
    features alone are about 0.5 GB at Kinetics-400 scale) to each rank's
    GPU, and hand the random state to ``torch.set_rng_state`` as a CUDA
    tensor, which it refuses.

    Args:
        filename (str): Local checkpoint path; ``~`` is expanded.
        map_location (str | torch.device | callable, optional): Accepted
            for the signature of mmengine's loaders and ignored: tensors
            are always loaded to the CPU. Defaults to None.

    Returns:
        dict: The loaded checkpoint, with CPU tensors.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    # weights_only exists since torch 1.13 (mmsakd needs torch >= 2.0);
    # passing it also silences the warning of torch 2.4 and 2.5.
    return torch.load(filename, map_location='cpu', weights_only=False)


def patch_checkpoint_loading() -> bool:
    """Register :func:`load_from_local_trusted` for local paths.

    Idempotent. Registered on every torch version, since the CPU mapping
    matters to a resume on a GPU whatever ``torch.load`` defaults to.

    Returns:
        bool: True (local checkpoints load on the CPU, with
        ``weights_only=False``).
    """
    if CheckpointLoader._schemes.get('') is not load_from_local_trusted:
        CheckpointLoader.register_scheme(
            prefixes='', loader=load_from_local_trusted, force=True)
    return True
