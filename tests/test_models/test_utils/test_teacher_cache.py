import pytest
import torch
from mmaction.structures import ActionDataSample
from torch import nn

from mmsakd.models.losses import FeatureKDLoss, KDLoss
from mmsakd.models.utils import TeacherOutputCache
from mmsakd.models.utils.teacher_cache import (add_cache_state,
                                               build_teacher_cache,
                                               cached_teacher_logits,
                                               load_cache_state)
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


def test_build_from_the_distillers_config():
    kd = KDLoss()
    for off in (None, False):
        assert build_teacher_cache(off, kd, None) is None
    assert type(build_teacher_cache(True, kd, None)) is TeacherOutputCache
    built = build_teacher_cache(dict(type='TeacherOutputCache'), kd, None)
    assert type(built) is TeacherOutputCache
    with pytest.raises(TypeError, match='teacher_cache must be'):
        build_teacher_cache('yes', kd, None)
    feature_kd = FeatureKDLoss(
        student_channels=(64, 16), teacher_channels=(128, 64))
    with pytest.raises(ValueError, match='FeatureKDLoss reads more'):
        build_teacher_cache(True, feature_kd, None)
    with pytest.raises(ValueError, match='interrupt_train changes'):
        build_teacher_cache(True, kd, dict(eta=0.5))


def _samples(sample_idx):
    samples = [ActionDataSample() for _ in sample_idx]
    for sample, index in zip(samples, sample_idx):
        sample.set_metainfo(dict(sample_idx=index))
    return samples


def test_cached_logits_run_the_teacher_on_misses_and_one_hit():
    clips = torch.randn(10, 4, generator=torch.Generator().manual_seed(0))
    weight = torch.randn(4, 3, generator=torch.Generator().manual_seed(1))
    rows = []

    def run_teacher(inputs):
        rows.append(inputs.shape[0])
        return inputs @ weight, None

    cache = TeacherOutputCache()
    for idx in ([0, 1, 2], [2, 3, 1], [3, 0, 2], [5, 4]):
        logits = cached_teacher_logits(cache, run_teacher, clips[idx],
                                       _samples(idx))
        assert logits.dtype == torch.float32
        torch.testing.assert_close(logits, clips[idx] @ weight)
    # Misses, plus the first hit of a batch, which is checked.
    assert rows == [3, 1 + 1, 1, 2]
    assert (cache.hits, cache.misses) == (5, 6)
    with pytest.raises(ValueError, match='sample_idx'):
        cached_teacher_logits(cache, run_teacher, clips[:1],
                              [ActionDataSample()])


def test_cached_logits_of_another_view_stop_the_run():
    clips = torch.randn(3, 4, generator=torch.Generator().manual_seed(0))
    weight = torch.randn(4, 3, generator=torch.Generator().manual_seed(1))

    def run_teacher(inputs):
        return inputs @ weight, None

    cache = TeacherOutputCache()
    cached_teacher_logits(cache, run_teacher, clips, _samples([0, 1, 2]))
    # Another crop of clip 1: within tolerance passes, beyond it stops.
    shifted = clips.clone()
    shifted[1] += 1e-4
    cached_teacher_logits(cache, run_teacher, shifted[1:], _samples([1, 2]))
    shifted[1] += 1.0
    with pytest.raises(RuntimeError, match='clip 1 that differ.*Replay'):
        cached_teacher_logits(cache, run_teacher, shifted[1:], _samples([1,
                                                                         2]))


class _Host(nn.Module):

    def __init__(self, cache):
        super().__init__()
        self.layer = nn.Linear(2, 2)
        self.teacher_cache = cache
        self.register_state_dict_post_hook(add_cache_state)
        self.register_load_state_dict_pre_hook(load_cache_state)


def test_state_hooks_round_trip_under_a_prefix():
    parent, other = nn.Module(), nn.Module()
    parent.host = _Host(TeacherOutputCache())
    other.host = _Host(TeacherOutputCache())
    assert set(parent.state_dict()) == {'host.layer.weight', 'host.layer.bias'}
    stored = torch.randn(2, 3)
    parent.host.teacher_cache.store(torch.tensor([4, 1]), stored)
    state = parent.state_dict()
    assert state['host.teacher_cache.valid'].tolist() == [
        False, True, False, False, True
    ]
    result = other.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    logits, hit = other.host.teacher_cache.lookup(torch.tensor([1, 4, 0]))
    assert hit.tolist() == [True, True, False]
    assert torch.equal(logits[:2], stored[[1, 0]])
    # Without a cache the entries are dropped, not unexpected.
    bare = nn.Module()
    bare.host = _Host(None)
    assert set(bare.state_dict()) == {'host.layer.weight', 'host.layer.bias'}
    result = bare.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
