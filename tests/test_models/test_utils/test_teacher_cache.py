import pytest
import torch

from mmsakd.models.utils import TeacherOutputCache
from mmsakd.registry import TASK_UTILS


def test_lookup_returns_what_was_stored_and_counts():
    cache = TeacherOutputCache()
    logits, hit = cache.lookup(torch.tensor([3, 0]))
    assert logits is None and not hit.any()
    assert (cache.hits, cache.misses) == (0, 2)

    stored = torch.arange(6.).reshape(2, 3)
    cache.store(torch.tensor([5, 1]), stored)
    assert len(cache) == 2
    logits, hit = cache.lookup(torch.tensor([1, 2, 5, 40]))
    assert hit.tolist() == [True, False, True, False]
    assert torch.equal(logits[0], stored[1])
    assert torch.equal(logits[2], stored[0])
    assert torch.equal(logits[1], torch.zeros(3))
    assert (cache.hits, cache.misses) == (2, 4)


def test_growth_keeps_earlier_entries():
    cache = TeacherOutputCache()
    cache.store(torch.tensor([0]), torch.ones(1, 4))
    for index in (1, 2, 9, 100):
        cache.store(torch.tensor([index]), torch.full((1, 4), float(index)))
    logits, hit = cache.lookup(torch.tensor([0, 1, 2, 9, 100, 50]))
    assert hit.tolist() == [True] * 5 + [False]
    assert logits[:5, 0].tolist() == [1., 1., 2., 9., 100.]
    assert len(cache) == 5


def test_overwrite_and_state_round_trip():
    cache = TeacherOutputCache()
    assert cache.state_dict() == {}
    cache.store(torch.tensor([2, 4]), torch.randn(2, 5))
    cache.store(torch.tensor([2]), torch.full((1, 5), 7.))
    state = cache.state_dict()
    other = TASK_UTILS.build(dict(type='TeacherOutputCache'))
    other.load_state_dict(state)
    for index in (2, 4):
        a, _ = cache.lookup(torch.tensor([index]))
        b, _ = other.lookup(torch.tensor([index]))
        assert torch.equal(a, b)
    assert other.lookup(torch.tensor([2]))[0].tolist() == [[7.] * 5]
    other.load_state_dict({})
    assert len(other) == 0


def test_bad_input_is_named():
    cache = TeacherOutputCache()
    with pytest.raises(ValueError, match='>= 0'):
        cache.lookup(torch.tensor([-1]))
    with pytest.raises(ValueError, match=r'shape \(len\(indices\), K\)'):
        cache.store(torch.tensor([0, 1]), torch.randn(3, 2))
    cache.store(torch.tensor([0]), torch.randn(1, 2))
    with pytest.raises(ValueError, match='holds 2 logits per clip, got 3'):
        cache.store(torch.tensor([1]), torch.randn(1, 3))
    with pytest.raises(ValueError, match='an \\(N,\\) mask'):
        cache.load_state_dict(
            dict(logits=torch.zeros(3, 2), valid=torch.zeros(2).bool()))
