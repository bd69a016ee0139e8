"""The candidates of a round (docs/method.md#candidate-pool): every
readable sample (``AllSamples``), or a pool of the least recently scored
samples, a random share and the samples that reuse their training loss
(``CandidatePool``), sized and excluded as counted by hand."""
import math
from fractions import Fraction

import pytest
import torch

from mmsakd.engine.sakd import AllSamples, CandidatePool, SAKDState
from mmsakd.registry import TASK_UTILS


def _mask(num, indices):
    mask = torch.zeros(num, dtype=torch.bool)
    mask[list(indices)] = True
    return mask


def _state(num=40, trained=(), known=(), seed=0):
    """A state after some rounds: samples last scored in rounds -1 to 3."""
    gen = torch.Generator().manual_seed(seed)
    state = SAKDState(num, seed=seed)
    state.rounds = 4
    state.last_scored = torch.randint(-1, 4, (num, ), generator=gen)
    state.trained_since_round = _mask(num, trained)
    state.has_feat = _mask(num, known)
    return state


def test_all_samples_choose():
    state = _state(6)
    chosen = AllSamples().choose(state, 2, _mask(6, []), 0, 1)
    assert chosen.fresh is None
    assert chosen.reused.tolist() == []
    assert chosen.reused.dtype == torch.long
    # Unreadable clips are no candidates; the rest are listed, ascending.
    chosen = AllSamples().choose(state, 2, _mask(6, [4, 1]), 0, 1)
    assert chosen.fresh == [0, 2, 3, 5]
    assert chosen.reused.tolist() == []


def test_all_samples_has_feat_after_the_first_round():
    state = SAKDState(3)
    assert AllSamples().has_feat(state).tolist() == [False] * 3
    state.feat = torch.zeros(3, 2)
    assert AllSamples().has_feat(state).tolist() == [True] * 3


def test_sorts_subset():
    # The method hands its subset over in selection order; a round without
    # some clips, and every pool round, in index order.
    assert not AllSamples().sorts_subset(10, 10)
    assert AllSamples().sorts_subset(9, 10)
    assert CandidatePool().sorts_subset(10, 10)
    assert CandidatePool(pool_factor=1).sorts_subset(3, 10)


def test_all_samples_after_round_keeps_the_state():
    state = _state(5, trained=[1], known=[1, 2])
    before = {
        k: v.clone()
        for k, v in state.__dict__.items() if isinstance(v, torch.Tensor)
    }
    AllSamples().after_round(state, dict(known=torch.ones(5, dtype=bool)),
                             torch.arange(5))
    for name, value in before.items():
        assert torch.equal(getattr(state, name), value), name


def _expected_size(num, k, pool_factor, num_reused, num_skipped):
    """min(N - reused - skipped, max(ceil(pool_factor * k), k - reused)),
    ``pool_factor`` exact as typed."""
    rest = num - num_reused - num_skipped
    if pool_factor is None:
        return rest
    pool = math.ceil(Fraction(str(pool_factor)) * k)
    return min(rest, max(pool, k - num_reused))


@pytest.mark.parametrize(
    'num, k, pool_factor, reuse, trained, known, skipped',
    [
        # ceil(0.5 * 10) = 5 fresh; nothing reused without reuse.
        (40, 10, 0.5, False, range(10), range(20), []),
        # 10 trained and known reuse their loss: still 5 fresh.
        (40, 10, 0.5, True, range(10), range(20), []),
        # Only 3 trained are known: 10 - 3 = 7 fresh make k candidates.
        (40, 10, 0.5, True, range(10), range(3), []),
        # Skipped clips neither reuse nor are scored.
        (40, 10, 0.5, True, range(10), range(20), [0, 1, 30, 31]),
        # A large factor is capped by the samples left: 40 - 10 - 2.
        (40, 10, 4, True, range(10), range(20), [38, 39]),
        # No factor: every sample that does not reuse its loss.
        (40, 10, None, True, range(0, 40, 3), range(40), [5]),
        (40, 10, None, False, range(10), range(40), [5, 6]),
        # 0.07 * 100 is 7.000000000000001 as a float, 7 as typed.
        (120, 100, 0.07, True, range(95), range(120), []),
        (120, 100, 1.5, True, range(5), range(120), [119]),
    ])
def test_pool_size_and_exclusions(num, k, pool_factor, reuse, trained, known,
                                  skipped):
    state = _state(num, trained, known)
    skipped = _mask(num, skipped)
    pool = CandidatePool(pool_factor, 0.5, reuse)
    chosen = pool.choose(state, k, skipped, 3, 2)
    unreadable = set(skipped.nonzero().flatten().tolist())
    expected_reused = []
    if reuse:
        expected_reused = sorted((set(trained) & set(known)) - unreadable)
    assert chosen.reused.tolist() == expected_reused
    assert chosen.reused.dtype == torch.long
    assert len(chosen.fresh) == _expected_size(num, k, pool_factor,
                                               len(expected_reused),
                                               int(skipped.sum()))
    assert chosen.fresh == sorted(set(chosen.fresh))
    assert not (set(expected_reused) | unreadable) & set(chosen.fresh)


def test_pool_takes_the_least_recently_scored():
    # Distinct rounds: without a random share, the pool is the ``size``
    # samples scored longest ago.
    num = 12
    state = SAKDState(num)
    state.last_scored = torch.tensor([5, -1, 3, 9, 0, 7, 1, 11, 2, 4, 8, 6])
    pool = CandidatePool(1, pool_random=0)
    chosen = pool.choose(state, 4, _mask(num, []), 0, 0)
    order = sorted(range(num), key=lambda i: int(state.last_scored[i]))
    assert chosen.fresh == sorted(order[:4])
    # Excluded samples are passed over: the next oldest come in.
    chosen = pool.choose(state, 4, _mask(num, [1, 4]), 0, 0)
    assert chosen.fresh == sorted(order[2:6])


def test_pool_is_seeded_by_seed_and_epoch():
    state = _state(200)
    pool = CandidatePool(1, pool_random=0.5)
    none = _mask(200, [])
    first = pool.choose(state, 40, none, 3, 5).fresh
    assert pool.choose(state, 40, none, 3, 5).fresh == first
    assert pool.choose(_state(200), 40, none, 3, 5).fresh == first
    assert pool.choose(state, 40, none, 3, 6).fresh != first
    assert pool.choose(state, 40, none, 4, 5).fresh != first


def test_pool_after_round():
    state = _state(8, trained=[0, 2, 5], known=[0, 2])
    state.rounds = 6
    before = state.last_scored.clone()
    known = _mask(8, [0, 2, 3, 7])
    candidates = torch.tensor([3, 7, 0])
    CandidatePool(1).after_round(state, dict(known=known), candidates)
    expected = before.clone()
    expected[[3, 7, 0]] = 6
    # The round count before the round's increment.
    assert torch.equal(state.last_scored, expected)
    assert state.trained_since_round.tolist() == [False] * 8
    assert state.has_feat is known


def test_built_from_the_registry():
    pool = TASK_UTILS.build(
        dict(
            type='CandidatePool',
            pool_factor=2,
            pool_random=0.25,
            reuse_train_losses=True))
    assert isinstance(pool, CandidatePool)
    assert (pool.pool_factor, pool.pool_random,
            pool.reuses_train_losses) == (2, 0.25, True)
    assert type(TASK_UTILS.build(dict(type='AllSamples'))) is AllSamples
    assert not AllSamples.reuses_train_losses
    defaults = CandidatePool()
    assert (defaults.pool_factor, defaults.pool_random,
            defaults.reuses_train_losses) == (None, 0.5, False)


@pytest.mark.parametrize('kwargs, error, message', [
    (dict(pool_factor=0), ValueError, 'pool_factor must be a number > 0'),
    (dict(pool_factor=-1.5), ValueError, 'pool_factor must be a number > 0'),
    (dict(pool_factor=True), ValueError, 'pool_factor must be a number > 0'),
    (dict(pool_factor='2'), ValueError, 'pool_factor must be a number > 0'),
    (dict(pool_random=1.5), ValueError, r'pool_random must be in \[0, 1\]'),
    (dict(reuse_train_losses=1), TypeError,
     'reuse_train_losses must be a bool'),
])
def test_bad_arguments_name_the_key(kwargs, error, message):
    with pytest.raises(error, match=message):
        CandidatePool(**kwargs)
