import random
from typing import Dict, Optional

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from torch.utils.data import DataLoader

from mmsakd.registry import HOOKS
from mmsakd.selection import check_bool
from mmsakd.utils.device import to_cpu


def get_random_state() -> dict:
    """The states of Python's, numpy's and torch's global generators."""
    state = dict(
        python=random.getstate(),
        numpy=np.random.get_state(),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_random_state(state: dict) -> None:
    """Restore what :func:`get_random_state` returned.

    The generator states of torch may arrive on another device (a checkpoint
    loaded with a ``map_location`` of the current GPU); ``torch`` and CUDA
    generators accept only CPU ``ByteTensor`` states, so they are moved to
    the CPU first. CUDA states are restored for the devices that exist, and
    ignored without CUDA.

    Args:
        state (dict): The states of :func:`get_random_state`.
    """
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.set_rng_state(to_cpu(state['torch']))
    if 'cuda' in state and torch.cuda.is_available():
        cuda = to_cpu(list(state['cuda']))
        torch.cuda.set_rng_state_all(cuda[:torch.cuda.device_count()])


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Make resumed training draw the same random numbers as an
    uninterrupted run.

    mmengine re-seeds the global generators when a resumed run starts, so
    dropout masks, stochastic depth and data-loader seeds after a resume
    differ from those of a run that was never stopped. This hook stores the
    generator states in every checkpoint and restores them on resume. It
    also makes validation neutral to the generators (their states are saved
    before and restored after each validation epoch), because a checkpoint is
    written before the validation that follows it, and a resumed run does
    not repeat that validation.

    Each rank keeps its own generators; the checkpoint holds those of the
    rank that writes it (rank 0), which equal the others' unless
    ``randomness.diff_rank_seed`` is set.

    A training loader with persistent workers starts its workers once per
    process, at the first epoch that a run trains, and draws their base
    seed then: from the global generator, which would shift the random
    numbers of a resumed run by one draw. Before training the hook gives
    such a loader a generator of its own, seeded from the run's seed, so
    that the draw leaves the global generators alone. Random transforms in
    those workers are still seeded when the workers start;
    :class:`~mmsakd.datasets.ReplayAugmentation` makes them a function of
    the epoch and clip instead.

    Args:
        restore (bool): Whether to restore the states on resume.
            Defaults to True.
    """

    priority = 'VERY_HIGH'

    def __init__(self, restore: bool = True) -> None:
        check_bool('restore', restore)
        self.restore = restore
        self._state_before_val: Optional[Dict] = None

    def before_train(self, runner) -> None:
        loader = runner.train_dataloader
        if isinstance(loader, DataLoader) and loader.persistent_workers \
                and loader.generator is None:
            seed = runner.seed if isinstance(runner.seed, int) else 0
            loader.generator = torch.Generator().manual_seed(seed)

    def before_val_epoch(self, runner) -> None:
        self._state_before_val = get_random_state()

    def after_val_epoch(self, runner, metrics=None) -> None:
        if self._state_before_val is not None:
            set_random_state(self._state_before_val)
            self._state_before_val = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['random_state'] = get_random_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        # Only a resume continues a run; `load_from` starts a new one.
        if not (self.restore and runner._resume):
            return
        if 'random_state' not in checkpoint:
            print_log(
                'The checkpoint holds no random state (written without '
                'RandomStateHook): the resumed run draws new random '
                'numbers.',
                logger='current',
                level=30)
            return
        set_random_state(checkpoint['random_state'])
