import copy
import os.path as osp
import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.testing import RunnerTestCase

from mmsakd.engine.hooks import RandomStateHook


def _draw():
    return (random.random(), float(np.random.rand()), float(torch.rand(1)))


class _Draws(Hook):
    """Draws from Python's, numpy's and torch's generators at the start of
    each training epoch (recorded in ``epochs``) and after each validation
    iteration, as random validation transforms would."""

    priority = 'LOW'

    def __init__(self):
        self.epochs = []

    def before_train_epoch(self, runner):
        self.epochs.append(_draw())

    def after_val_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        _draw()


class TestRandomStateRunner(RunnerTestCase):
    """Runs of a toy model (seed 0, 2 epochs) that draw random numbers at
    the start of each epoch."""

    def _run(self, name, max_epochs=2, val=True, hook=None, resume=None):
        """The draws of each epoch; ``hook``: the RandomStateHook config."""
        cfg = copy.deepcopy(self.epoch_based_cfg)
        cfg.default_scope = 'mmsakd'
        cfg.work_dir = osp.join(self.temp_dir.name, name)
        cfg.randomness = dict(seed=0)
        cfg.train_cfg.max_epochs = max_epochs
        if not val:
            cfg.train_cfg.val_begin = max_epochs + 1
        if resume is not None:
            cfg.resume, cfg.load_from = True, resume
        if hook is not None:
            cfg.custom_hooks = [dict(type='RandomStateHook', **hook)]
        runner = self.build_runner(cfg)
        draws = _Draws()
        runner.register_hook(draws)
        runner.train()
        return draws.epochs

    def test_validation_is_neutral(self):
        without_val = self._run('no_val', val=False, hook={})
        assert self._run('val', hook={}) == without_val
        # Validation draws numbers: without the hook they shift epoch 2.
        shifted = self._run('val_no_hook')
        assert shifted[0] == without_val[0]
        assert shifted[1] != without_val[1]

    def test_resume_draws_what_an_uninterrupted_run_draws(self):
        straight = self._run('straight', hook={})
        assert straight[0] != straight[1]
        first = self._run('first', max_epochs=1, hook={})
        assert first == straight[:1]
        # The resumed run is seeded again, then restores epoch 1's end
        # from the checkpoint file.
        checkpoint = osp.join(self.temp_dir.name, 'first', 'epoch_1.pth')
        resumed = self._run('resumed', hook={}, resume=checkpoint)
        assert resumed == straight[1:]
        # Without restoring, the resumed epoch draws other numbers.
        other = self._run(
            'not_restored', hook=dict(restore=False), resume=checkpoint)
        assert len(other) == 1 and other != straight[1:]


def test_load_from_does_not_restore():
    """Only a resume continues a run; ``load_from`` starts a new one."""
    torch.manual_seed(1), np.random.seed(1), random.seed(1)
    checkpoint = {}
    RandomStateHook().before_save_checkpoint(None, checkpoint)
    torch.manual_seed(2), np.random.seed(2), random.seed(2)
    expected = _draw()
    torch.manual_seed(2), np.random.seed(2), random.seed(2)
    RandomStateHook().after_load_checkpoint(
        SimpleNamespace(_resume=False), checkpoint)
    assert _draw() == expected


def test_restore_must_be_bool():
    with pytest.raises(TypeError, match='restore'):
        RandomStateHook(restore='yes')
