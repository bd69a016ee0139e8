"""``SAKDState``: its initial values, the training losses it keeps, and its
checkpoint entry ``checkpoint['sakd']`` with the keys of earlier
releases."""
import pytest
import torch

from mmsakd.engine.sakd import SAKDState

#: The keys of ``checkpoint['sakd']`` that checkpoints have always held,
#: and the attribute each restores.
KEYS = dict(
    omega='omega',
    alpha='alpha',
    feat='feat',
    subset='subset',
    rounds='rounds',
    seed='seed',
    last_scored='last_scored',
    known='has_feat',
    train_loss='train_loss',
    trained='trained_since_round')
#: The keys that checkpoints written before candidate pools lack.
POOL_KEYS = ('last_scored', 'known', 'train_loss', 'trained')


def _filled(num=6, seed=0):
    """A state after some rounds, every entry set."""
    gen = torch.Generator().manual_seed(seed)
    state = SAKDState(num, alpha_init=0.2, seed=11)
    state.omega = torch.randint(0, 4, (num, ), generator=gen)
    state.alpha = torch.rand(num, generator=gen)
    state.feat = torch.randn(num, 3, generator=gen)
    state.subset = [4, 1]
    state.rounds = 3
    state.last_scored = torch.randint(-1, 3, (num, ), generator=gen)
    state.has_feat = torch.rand(num, generator=gen) > 0.5
    state.train_loss = torch.rand(num, generator=gen)
    state.trained_since_round = torch.rand(num, generator=gen) > 0.5
    return state


def _assert_same(got, expected):
    for name in KEYS.values():
        a, b = getattr(got, name), getattr(expected, name)
        if isinstance(b, torch.Tensor):
            assert a.device.type == 'cpu', name
            assert a.dtype == b.dtype, name
            assert torch.equal(a, b.cpu()), name
        else:
            assert a == b, name


def test_initial_state():
    state = SAKDState(4, alpha_init=0.25, seed=9)
    assert len(state) == 4
    assert state.omega.tolist() == [0, 0, 0, 0]
    assert state.omega.dtype == torch.long
    assert state.alpha.tolist() == [0.25] * 4
    assert state.alpha.dtype == torch.float32
    assert (state.feat, state.subset, state.rounds, state.seed) == (None, None,
                                                                    0, 9)
    assert state.last_scored.tolist() == [-1] * 4
    assert state.last_scored.dtype == torch.long
    assert state.has_feat.tolist() == [False] * 4
    assert state.train_loss.tolist() == [0.] * 4
    assert state.trained_since_round.tolist() == [False] * 4


def test_record_train_losses():
    state = SAKDState(5)
    state.record_train_losses(
        torch.tensor([3, 0]), torch.tensor([1.5, 0.25], dtype=torch.float64))
    assert state.train_loss.tolist() == [0.25, 0., 0., 1.5, 0.]
    assert state.train_loss.dtype == torch.float32
    assert state.trained_since_round.tolist() == [
        True, False, False, True, False
    ]
    # A later iteration overwrites a sample's loss.
    state.record_train_losses(torch.tensor([3]), torch.tensor([2.]))
    assert state.train_loss.tolist() == [0.25, 0., 0., 2., 0.]


def test_state_dict_keys_are_the_checkpoints():
    state = _filled()
    entry = state.state_dict()
    assert set(entry) == set(KEYS)
    for key, name in KEYS.items():
        assert entry[key] is getattr(state, name), key


def test_checkpoint_round_trip(tmp_path):
    state = _filled()
    path = tmp_path / 'epoch_3.pth'
    torch.save(dict(sakd=state.state_dict()), path)
    restored = SAKDState(1)
    restored.load_state_dict(torch.load(path, map_location='cpu')['sakd'])
    _assert_same(restored, state)
    assert len(restored) == len(state)


class _OnDevice:
    """A tensor as loaded to another device: only ``.cpu()`` gives it."""

    def __init__(self, tensor):
        self.tensor = tensor
        self.moved = False

    def cpu(self):
        self.moved = True
        return self.tensor.clone()


def test_load_moves_every_tensor_to_the_cpu():
    state = _filled()
    entry = {
        key: _OnDevice(value) if isinstance(value, torch.Tensor) else value
        for key, value in state.state_dict().items()
    }
    restored = SAKDState(1)
    restored.load_state_dict(entry)
    assert all(v.moved for v in entry.values() if isinstance(v, _OnDevice))
    _assert_same(restored, state)


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_load_from_cuda_puts_tensors_on_the_cpu():
    state = _filled()
    entry = {
        key: value.cuda() if isinstance(value, torch.Tensor) else value
        for key, value in state.state_dict().items()
    }
    restored = SAKDState(1)
    restored.load_state_dict(entry)
    _assert_same(restored, state)


@pytest.mark.parametrize('missing', ['absent', 'none'])
def test_checkpoint_without_pool_keys_loads(missing):
    state = _filled()
    entry = state.state_dict()
    for key in POOL_KEYS:
        if missing == 'absent':
            del entry[key]
        else:
            entry[key] = None
    restored = SAKDState(6)
    restored.load_state_dict(entry)
    assert torch.equal(restored.omega, state.omega)
    assert torch.equal(restored.alpha, state.alpha)
    assert torch.equal(restored.feat, state.feat)
    assert (restored.subset, restored.rounds, restored.seed) == ([4, 1], 3, 11)
    # The pool state starts afresh, as in a state of this size.
    fresh = SAKDState(6)
    for key in POOL_KEYS:
        name = KEYS[key]
        assert torch.equal(getattr(restored, name), getattr(fresh, name))


def test_rounds_and_seed_load_as_int():
    entry = _filled().state_dict()
    entry.update(rounds=torch.tensor(5), seed=torch.tensor(2))
    restored = SAKDState(1)
    restored.load_state_dict(entry)
    assert (restored.rounds, restored.seed) == (5, 2)
    assert type(restored.rounds) is int and type(restored.seed) is int


def test_first_round_checkpoint_has_no_feat():
    entry = SAKDState(3, seed=4).state_dict()
    restored = SAKDState(3)
    restored.load_state_dict(entry)
    assert restored.feat is None and restored.subset is None
    assert restored.seed == 4


def test_other_ranks_drop_feat(monkeypatch):
    from mmsakd.engine.sakd import state as state_module
    monkeypatch.setattr(state_module, 'is_main_process', lambda: False)
    state = _filled()
    restored = SAKDState(1)
    restored.load_state_dict(state.state_dict())
    assert restored.feat is None
    state.feat = None
    _assert_same(restored, state)
