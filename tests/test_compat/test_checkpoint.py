import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import (CheckpointLoader, _load_checkpoint,
                                        load_from_local)

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


@pytest.mark.parametrize('map_location', [
    'cuda', 'meta',
    torch.device('cuda:0'), lambda storage, location: storage.cuda()
])
def test_local_scheme_loads_to_cpu_whatever_map_location(
        tmp_path, map_location):
    """``Runner.resume`` asks for the current device (``cuda`` on a GPU
    run); the loader still gives CPU tensors."""
    path = tmp_path / 'ckpt.pth'
    state = dict(
        state_dict=dict(w=torch.randn(3)),
        random_state=dict(torch=torch.get_rng_state()),
        sakd=dict(feat=torch.randn(4, 2), subset=[1, 3]))
    torch.save(state, path)
    ckpt = _load_checkpoint(str(path), map_location=map_location)
    tensors = [
        ckpt['state_dict']['w'], ckpt['random_state']['torch'],
        ckpt['sakd']['feat']
    ]
    assert [t.device.type for t in tensors] == ['cpu'] * 3
    assert torch.equal(tensors[0], state['state_dict']['w'])
    assert torch.equal(tensors[2], state['sakd']['feat'])
    assert ckpt['sakd']['subset'] == [1, 3]
    # The random state is one torch.set_rng_state accepts.
    with torch.random.fork_rng(devices=[]):
        torch.set_rng_state(tensors[1])


def test_local_scheme_is_registered_on_every_torch_version(monkeypatch):
    monkeypatch.setattr(torch, '__version__', '2.1.0')
    assert not torch_loads_weights_only_by_default()
    # register_scheme replaces the table; restore the original after.
    monkeypatch.setattr(CheckpointLoader, '_schemes', {
        **CheckpointLoader._schemes, '': load_from_local
    })
    assert patch_checkpoint_loading() is True
    assert CheckpointLoader._schemes[''] is load_from_local_trusted


def test_only_local_scheme_is_replaced():
    assert patch_checkpoint_loading() is True
    schemes = CheckpointLoader._schemes
    assert schemes[''] is load_from_local_trusted
    for prefix in ('http://', 'https://', 'torchvision://'):
        assert schemes[prefix] is not load_from_local_trusted
        assert schemes[prefix].__module__ == 'mmengine.runner.checkpoint'
