"""Let mmengine load its own checkpoints under torch >= 2.6.

torch 2.6 made ``torch.load`` default to ``weights_only=True``; mmengine
0.10.7 checkpoints hold a ``HistoryBuffer``, numpy dtypes and other globals
that the safe unpickler refuses, so ``resume`` and ``load_from`` fail.
Allow-listing globals one by one does not cover them all. This module
re-registers mmengine's local-file scheme (the empty prefix) with a loader
that passes ``weights_only=False``; remote schemes are left as they are.

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
    """Load a local checkpoint file written by mmengine.

    Args:
        filename (str): Local checkpoint path; ``~`` is expanded.
        map_location (str, optional): Same as :func:`torch.load`.
            Defaults to None.

    Returns:
        dict: The loaded checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)


def patch_checkpoint_loading() -> bool:
    """Register :func:`load_from_local_trusted` for local paths if needed.

    Idempotent; does nothing on torch < 2.6.

    Returns:
        bool: True if the local scheme loads with ``weights_only=False``.
    """
    if not torch_loads_weights_only_by_default():
        return False
    if CheckpointLoader._schemes.get('') is not load_from_local_trusted:
        CheckpointLoader.register_scheme(
            prefixes='', loader=load_from_local_trusted, force=True)
    return True
