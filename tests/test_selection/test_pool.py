import math

import pytest
import torch

from mmsakd.selection import (RoundSettings, candidate_pool, easiness,
                              fuse_features, make_generator,
                              normalize_easiness, pool_round, project_features,
                              select_subset, selection_probability,
                              selection_round, update_strength)


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_pool_takes_the_least_recently_scored_first():
    last = torch.tensor([3, -1, 0, 2, -1, 1, 3, 0])
    pool = candidate_pool(last, 4, random_share=0., generator=_gen())
    # Never scored (1, 4), then round 0 (2, 7).
    assert pool.tolist() == [1, 2, 4, 7]
    pool = candidate_pool(last, 3, random_share=0., generator=_gen())
    assert set(pool.tolist()) < {1, 2, 4, 7} and {1, 4} < set(pool.tolist())


@pytest.mark.parametrize('num,size', [(10, 3), (24, 6), (7, 7), (50, 8)])
def test_every_sample_scored_within_ceil_n_over_size_rounds(num, size):
    last = torch.full((num, ), -1, dtype=torch.long)
    window = math.ceil(num / size)
    history = []
    for rounds in range(3 * window):
        pool = candidate_pool(last, size, 0., generator=_gen(rounds))
        assert len(pool) == size == len(set(pool.tolist()))
        last[pool] = rounds
        history.append(set(pool.tolist()))
    for start in range(len(history) - window + 1):
        covered = set().union(*history[start:start + window])
        assert covered == set(range(num))


def test_random_share_and_exclusion():
    num, size = 40, 10
    last = torch.arange(num)  # sample 0 is the least recently scored
    exclude = torch.zeros(num, dtype=torch.bool)
    exclude[:3] = True
    pool = candidate_pool(last, size, 0.5, generator=_gen(1), exclude=exclude)
    assert not set(pool.tolist()) & {0, 1, 2}
    # The 5 oldest that are allowed, and 5 others drawn at random.
    assert {3, 4, 5, 6, 7} <= set(pool.tolist())
    assert torch.equal(
        pool, candidate_pool(last, size, 0.5, _gen(1), exclude=exclude))
    draws = {
        tuple(candidate_pool(last, size, 0.5, _gen(s), exclude).tolist())
        for s in range(5)
    }
    assert len(draws) > 1
    everything = candidate_pool(last, num - 3, 1., _gen(2), exclude=exclude)
    assert everything.tolist() == list(range(3, num))


def test_oldest_count_is_exact_for_typed_shares():
    # ceil((1 - 0.7) * 10) is 3; (1 - 0.7) * 10 is 3.0000000000000004 in
    # floating point. The 3 oldest, then 7 of the others drawn as the pool
    # draws them: a permutation of all, then one of the rest.
    num = 40
    pool = candidate_pool(torch.arange(num), 10, 0.7, generator=_gen(3))
    generator = _gen(3)
    torch.randperm(num, generator=generator)
    drawn = (3 + torch.randperm(num - 3, generator=generator)[:7]).tolist()
    assert pool.tolist() == sorted(list(range(3)) + drawn)


def test_pool_checks():
    last = torch.zeros(5, dtype=torch.long)
    with pytest.raises(ValueError, match='at most 3'):
        candidate_pool(last, 4, exclude=torch.tensor([1, 1, 0, 0, 0]).bool())
    with pytest.raises(ValueError, match='random_share'):
        candidate_pool(last, 2, random_share=1.5)
    with pytest.raises(ValueError, match=r'shape \(5,\)'):
        candidate_pool(last, 2, exclude=torch.zeros(4, dtype=torch.bool))


def _state(num=20, c=6, seed=0):
    gen = _gen(seed)
    return dict(
        omega=torch.randint(0, 3, (num, ), generator=gen),
        alpha=torch.rand(num, generator=gen),
        labels=torch.randint(0, 3, (num, ), generator=gen),
        losses=torch.rand(num, generator=gen) * 2,
        feats=torch.randn(num, c, generator=gen))


def test_pool_round_over_everything_equals_selection_round():
    s = _state()
    settings = RoundSettings(ratio=0.3, seed=4)
    num = len(s['omega'])
    prev = torch.randn(num, 6, generator=_gen(9))
    expected = selection_round(s['losses'], s['feats'], s['omega'], s['alpha'],
                               prev, 2, 0.4, 3, settings, s['labels'])
    got = pool_round(
        torch.arange(num), s['losses'], s['feats'],
        torch.ones(num, dtype=torch.bool), s['omega'], s['alpha'], prev,
        torch.ones(num, dtype=torch.bool), 2, 0.4, 3, settings, s['labels'])
    assert got['subset'] == sorted(expected['subset'])
    assert torch.equal(got['omega'], expected['omega'])
    torch.testing.assert_close(got['alpha'], expected['alpha'])
    torch.testing.assert_close(got['feat'], expected['feat'])
    assert got['rounds'] == 3


def test_pool_round_updates_only_candidates():
    s = _state(num=20, c=6, seed=1)
    settings = RoundSettings(ratio=0.2, seed=2, d_max=4)
    prev = torch.randn(20, 4, generator=_gen(3))
    known = torch.zeros(20, dtype=torch.bool)
    known[:10] = True
    # 3 reused (known) and 3 fresh candidates, of which 1 is new.
    candidates = torch.tensor([12, 2, 5, 7, 9, 1])
    fresh = torch.tensor([True, True, True, False, False, False])
    losses = s['losses'][candidates]
    feats = s['feats'][candidates[fresh]]
    out = pool_round(candidates, losses, feats, fresh, s['omega'], s['alpha'],
                     prev, known, 4, 0.5, 6, settings, s['labels'])

    # Reference from the public functions, on the candidates only.
    p = selection_probability(s['omega'], 4)[candidates]
    s_hat = normalize_easiness(easiness(losses, p))
    alpha = s['alpha'].clone()
    alpha[candidates] = update_strength(s['alpha'][candidates], s_hat, 0.5)
    projected = project_features(feats, 4, 2)
    feat = prev.clone()
    feat[12] = projected[0]
    feat[[2, 5]] = fuse_features(prev[[2, 5]], projected[1:], 0.5)
    others = torch.ones(20, dtype=torch.bool)
    others[candidates] = False
    torch.testing.assert_close(out['alpha'], alpha)
    torch.testing.assert_close(out['feat'], feat)
    assert torch.equal(out['alpha'][others], s['alpha'][others])
    assert torch.equal(out['feat'][others], prev[others])
    assert out['known'][12] and int(out['known'].sum()) == 11
    picked = select_subset(s_hat, feat[candidates], 4, 6, settings,
                           s['labels'][candidates])
    assert out['subset'] == sorted(candidates[picked].tolist())
    omega = s['omega'].clone()
    omega[out['subset']] += 1
    assert torch.equal(out['omega'], omega)


def test_pool_round_checks():
    s = _state(num=6)
    known = torch.zeros(6, dtype=torch.bool)
    args = (s['omega'], s['alpha'], None, known, 0, 0., 0)
    with pytest.raises(ValueError, match='earlier round'):
        pool_round(
            torch.tensor([0, 1]), s['losses'][:2], s['feats'][:1],
            torch.tensor([True, False]), *args)
    with pytest.raises(ValueError, match='one row per fresh'):
        pool_round(
            torch.tensor([0, 1]), s['losses'][:2], s['feats'][:1],
            torch.tensor([True, True]), *args)
    with pytest.raises(ValueError, match='distinct'):
        pool_round(
            torch.tensor([0, 0]), s['losses'][:2], s['feats'][:2],
            torch.tensor([True, True]), *args)
    with pytest.raises(ValueError, match='empty'):
        pool_round(
            torch.tensor([], dtype=torch.long), torch.zeros(0), None,
            torch.zeros(0, dtype=torch.bool), *args)


def test_pool_stream_differs_from_the_criterions():
    # The hook draws the pool from the 'pool' stream of (seed, epoch), the
    # random criterion its ranking from the 'criterion' stream.
    a = torch.randperm(10, generator=make_generator(3, 2, stream='pool'))
    b = torch.randperm(10, generator=make_generator(3, 2, stream='criterion'))
    assert not torch.equal(a, b)
