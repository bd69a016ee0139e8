import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from mmsakd.engine.hooks import RandomStateHook


def _draw():
    return (random.random(), float(np.random.rand()), float(torch.rand(1)))


def test_validation_does_not_consume_random_numbers():
    hook = RandomStateHook()
    torch.manual_seed(0), np.random.seed(0), random.seed(0)
    expected = _draw()

    torch.manual_seed(0), np.random.seed(0), random.seed(0)
    hook.before_val_epoch(runner=None)
    _draw()  # what validation would consume
    hook.after_val_epoch(runner=None)
    assert _draw() == expected


@pytest.mark.parametrize('resume, restored', [(True, True), (False, False)])
def test_checkpoint_round_trip_only_on_resume(resume, restored):
    hook = RandomStateHook()
    torch.manual_seed(1), np.random.seed(1), random.seed(1)
    checkpoint = {}
    hook.before_save_checkpoint(runner=None, checkpoint=checkpoint)
    expected = _draw()

    torch.manual_seed(2), np.random.seed(2), random.seed(2)
    other = _draw()
    torch.manual_seed(2), np.random.seed(2), random.seed(2)
    hook.after_load_checkpoint(
        runner=SimpleNamespace(_resume=resume), checkpoint=checkpoint)
    assert _draw() == (expected if restored else other)


def test_restore_must_be_bool():
    with pytest.raises(TypeError, match='restore'):
        RandomStateHook(restore='yes')
