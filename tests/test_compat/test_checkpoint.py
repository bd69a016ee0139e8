import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

import mmsakd  # noqa: F401
from mmsakd.compat.checkpoint import (load_from_local_trusted,
                                      patch_checkpoint_loading,
                                      torch_loads_weights_only_by_default)


def _mmengine_like_checkpoint(path):
    # What mmengine's Runner stores besides weights: message hub buffers
    # and numpy values.
    ckpt = dict(
        meta=dict(epoch=1, seed=np.int64(3)),
        state_dict=dict(w=torch.ones(2)),
        message_hub=dict(
            log_scalars=dict(loss=HistoryBuffer([1.0, 2.0], [1, 1]))))
    torch.save(ckpt, path)


@pytest.mark.skipif(
    not torch_loads_weights_only_by_default(),
    reason='torch.load is not weights-only by default')
def test_plain_torch_load_refuses_mmengine_checkpoint(tmp_path):
    path = tmp_path / 'ckpt.pth'
    _mmengine_like_checkpoint(path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def test_local_scheme_loads_mmengine_checkpoint(tmp_path):
    path = tmp_path / 'ckpt.pth'
    _mmengine_like_checkpoint(path)
    ckpt = _load_checkpoint(str(path), map_location='cpu')
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    buffer = ckpt['message_hub']['log_scalars']['loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == 1.5


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        _load_checkpoint(str(tmp_path / 'missing.pth'))


def test_only_local_scheme_is_replaced():
    assert patch_checkpoint_loading() == torch_loads_weights_only_by_default()
    schemes = CheckpointLoader._schemes
    if torch_loads_weights_only_by_default():
        assert schemes[''] is load_from_local_trusted
    for prefix in ('http://', 'https://', 'torchvision://'):
        assert schemes[prefix] is not load_from_local_trusted
        assert schemes[prefix].__module__ == 'mmengine.runner.checkpoint'
