"""``selection_round`` and ``pool_round`` against docs/method.md#difficulty
to #selection: rounds worked out by hand, and the float64 reference of
``round_reference`` written from the equations (Eq. 5-8)."""
import itertools
import math

import pytest
import torch
from round_reference import (assert_state, objective, spec_pool_round,
                             spec_round, spec_select, spec_strength)

from mmsakd.selection import (RoundSettings, make_generator, pool_round,
                              random_criterion, select_samples, select_subset,
                              selection_round, subset_size, top_k)

N = 30
C = 12


def _inputs(seed=0, n=N, c=C, rounds=0, d=C):
    gen = torch.Generator().manual_seed(seed)
    losses = torch.rand(n, generator=gen) * 3
    feats = torch.randn(n, c, generator=gen)
    omega = torch.randint(0, rounds + 1, (n, ), generator=gen)
    alpha = torch.rand(n, generator=gen)
    labels = torch.randint(0, 3, (n, ), generator=gen)
    prev = None if rounds == 0 else torch.randn(n, d, generator=gen)
    return losses, feats, omega, alpha, prev, labels


# Worked by hand: 4 samples of one class, 2 rounds done, lam 0.25, rate
# 0.4, ratio 0.5 (k = 2), gamma 0.5.
HAND = dict(
    settings=RoundSettings(ratio=0.5, lam=0.25),
    losses=torch.tensor([1.0, 0.5, 2.0, 0.25]),
    omega=torch.tensor([2, 0, 1, 0]),
    alpha=torch.tensor([0.2, 0.0, 0.4, 1.0]),
    # Fused features of the earlier rounds and this round's F.
    prev=torch.tensor([[-3., 4.], [4., -3.], [0., 1.], [1., 0.]]),
    feats=torch.tensor([[1., 0.], [0., 1.], [0., 1.], [1., 1.]]),
    labels=torch.zeros(4, dtype=torch.long))


def test_hand_worked_round():
    h = HAND
    got = selection_round(h['losses'], h['feats'], h['omega'], h['alpha'],
                          h['prev'], 2, 0.4, 3, h['settings'], h['labels'])
    # Eq. 5: p = 1 / (omega / 2 + 1) = [1/2, 1, 2/3, 1];
    # s = p * L = [1/2, 1/2, 4/3, 1/4]; s_hat = s / (4/3).
    s_hat = [0.375, 0.375, 1.0, 0.1875]
    # Eq. 6: 0.25 * alpha + 0.75 * 0.4 * s_hat.
    alpha = [0.05 + 0.1125, 0.1125, 0.1 + 0.3, 0.25 + 0.05625]
    torch.testing.assert_close(got['alpha'], torch.tensor(alpha))
    # Eq. 7: 0.25 * prev + 0.75 * F.
    feat = torch.tensor([[0., 1.], [1., 0.], [0., 1.], [1., 0.75]])
    torch.testing.assert_close(got['feat'], feat)
    # Eq. 8: every single row has unit norm, so the first pick is the
    # easiest, sample 2. Second pick, gain 0.5 * s_hat + 0.5 * log(1 - c^2)
    # for the cosine c with sample 2 (sigma aside): sample 0 is parallel
    # (log 2e-3), sample 1 orthogonal (0.1875), sample 3 at c = 0.6
    # (0.09375 + 0.5 * log 0.64 = -0.13): sample 1.
    # On this round's F alone it would be sample 0 (orthogonal there, and
    # sample 1 parallel); on the earlier features alone sample 3.
    assert sorted(got['subset']) == [1, 2]
    assert got['omega'].tolist() == [2, 1, 2, 0]
    assert got['rounds'] == 3
    ref = spec_round(h['losses'], h['feats'], h['omega'], h['alpha'],
                     h['prev'], 2, 0.4, 3, h['settings'], h['labels'])
    assert ref['subset'] == [1, 2]
    assert ref['alpha'].tolist() == pytest.approx(alpha)
    for rows, expected in ((h['feats'], [0, 2]), (h['prev'], [2, 3])):
        assert spec_select(rows.double(), s_hat, 2, h['labels'], 3,
                           h['settings']) == expected
    # Here the greedy pair is also the best of all six pairs.
    pairs = itertools.combinations(range(4), 2)
    assert max(
        pairs,
        key=lambda a: objective(feat.double(), s_hat, list(a), 0.5, 1e-3)) == (
            1, 2)

    # The next round reads this round's state: omega_hat = omega / 3.
    losses = torch.tensor([1.0, 1.0, 0.9, 1.0])
    again = selection_round(losses, 2 * feat, got['omega'], got['alpha'],
                            got['feat'], got['rounds'], 0.5, 4, h['settings'],
                            h['labels'])
    # p = [3/5, 3/4, 3/5, 1]; s = s_hat = [0.6, 0.75, 0.54, 1].
    # alpha: 0.25 * alpha + 0.75 * 0.5 * s_hat.
    torch.testing.assert_close(
        again['alpha'],
        torch.tensor([
            0.040625 + 0.225, 0.028125 + 0.28125, 0.1 + 0.2025,
            0.0765625 + 0.375
        ]))
    # feat: 0.25 * feat + 0.75 * 2 * feat.
    torch.testing.assert_close(again['feat'], 1.75 * feat)
    # Sample 3 first; then sample 0 (c = 0.6: 0.3 - 0.22) over sample 2
    # (the same features, 0.27 - 0.22) and sample 1 (c = 0.8).
    assert sorted(again['subset']) == [0, 3]
    assert again['omega'].tolist() == [3, 1, 2, 1]
    assert again['rounds'] == 4


CASES = [
    # rounds, ratio, lam, gamma, norm, d_max, partition, block_size, seed
    (0, 0.1, 0.5, 0.5, 'max', 512, 'class', 4096, 0),
    (3, 0.25, 0.7, 0.3, 'rank', 8, 'class', 4, 1),
    (5, 0.5, 0.2, 0.9, 'max', 8, 'random', 7, 2),
    (2, 0.2, 0.1, 0.5, 'rank', 512, 'class', 4096, 3),
]


def _settings(ratio, lam, gamma, norm, d_max, partition, block_size, seed):
    return RoundSettings(
        ratio=ratio,
        lam=lam,
        gamma=gamma,
        norm=norm,
        d_max=d_max,
        partition=partition,
        block_size=block_size,
        seed=seed)


@pytest.mark.parametrize(
    'rounds, ratio, lam, gamma, norm, d_max, partition, block_size, seed',
    CASES)
def test_round_matches_the_equations(rounds, ratio, lam, gamma, norm, d_max,
                                     partition, block_size, seed):
    settings = _settings(ratio, lam, gamma, norm, d_max, partition, block_size,
                         seed)
    losses, feats, omega, alpha, prev, labels = _inputs(
        seed, rounds=rounds, d=min(C, d_max))
    if rounds == 0:
        # Left from an earlier run: the first round must not read it.
        prev = torch.full((N, min(C, d_max)), 5.)
    got = selection_round(losses, feats, omega, alpha, prev, rounds, 0.4, 3,
                          settings, labels)
    ref = spec_round(losses, feats, omega, alpha, prev, rounds, 0.4, 3,
                     settings, labels)
    assert set(got) == set(ref)
    assert_state(got, ref)
    # The projection applies above d_max only.
    assert got['feat'].shape == (N, min(C, d_max))


def test_three_rounds_match_the_equations():
    """State handed from round to round: counts, strengths, features (in
    the projected space of one fixed matrix) and the round number."""
    settings = RoundSettings(ratio=0.2, lam=0.3, d_max=8, seed=5)
    _, _, omega, alpha, _, labels = _inputs(10)
    got = ref = dict(omega=omega.zero_(), alpha=alpha, feat=None, rounds=0)
    for epoch in range(3):
        losses, feats = _inputs(20 + epoch)[:2]
        got = selection_round(losses, feats, got['omega'], got['alpha'],
                              got['feat'], got['rounds'], 0.1 * epoch, epoch,
                              settings, labels)
        ref = spec_round(losses, feats, ref['omega'], ref['alpha'],
                         ref['feat'], ref['rounds'], 0.1 * epoch, epoch,
                         settings, labels)
        assert_state(got, ref)
    assert int(got['omega'].sum()) == 3 * math.ceil(0.2 * N)


def test_pool_round_hand_worked():
    # 5 samples, 1 round done. Candidates 3 (reuses its training loss),
    # 1 (scored, has fused features) and 2 (scored for the first time).
    omega = torch.tensor([1, 0, 0, 1, 0])
    alpha = torch.tensor([0.2, 0.4, 0.0, 0.6, 0.8])
    known = torch.tensor([True, True, False, True, False])
    prev = torch.tensor([[1., 0.], [0., 1.], [0., 0.], [1., 1.], [0., 0.]])
    candidates = torch.tensor([3, 1, 2])
    fresh = torch.tensor([False, True, True])
    feats = torch.tensor([[2., 0.], [3., 0.5]])  # of samples 1 and 2
    got = pool_round(candidates, torch.tensor([0.5, 1.0, 0.8]), feats, fresh,
                     omega, alpha, prev, known, 1, 0.4, 2,
                     RoundSettings(ratio=0.4, lam=0.25),
                     torch.zeros(5, dtype=torch.long))
    # p of the candidates [1/2, 1, 1]; s = s_hat = [0.25, 1, 0.8] (the max
    # over the candidates is 1). Eq. 6 on the candidates only.
    torch.testing.assert_close(
        got['alpha'], torch.tensor([0.2, 0.1 + 0.3, 0.24, 0.15 + 0.075, 0.8]))
    # Sample 1 fuses, sample 2 takes F, the others keep their features.
    torch.testing.assert_close(
        got['feat'],
        torch.tensor([[1., 0.], [1.5, 0.25], [3., 0.5], [1., 1.], [0., 0.]]))
    assert got['known'].tolist() == [True, True, True, True, False]
    # k = ceil(0.4 * 5) = 2: sample 1 (easiest), then sample 3 (c = 0.81,
    # 0.125 - 0.54) over sample 2 (parallel to sample 1).
    assert got['subset'] == [1, 3]
    assert got['omega'].tolist() == [1, 1, 0, 2, 0]
    assert got['rounds'] == 2


@pytest.mark.parametrize('d_max, norm, ratio, seed', [(6, 'max', 0.3, 0),
                                                      (4, 'rank', 0.2, 1),
                                                      (4, 'max', 0.5, 2)])
def test_pool_round_matches_the_equations(d_max, norm, ratio, seed):
    num, c = 20, 6
    settings = RoundSettings(
        ratio=ratio, lam=0.3, norm=norm, d_max=d_max, seed=seed)
    gen = torch.Generator().manual_seed(seed)
    omega = torch.randint(0, 3, (num, ), generator=gen)
    alpha = torch.rand(num, generator=gen)
    labels = torch.randint(0, 3, (num, ), generator=gen)
    known = torch.rand(num, generator=gen) < 0.5
    feat = torch.randn(num, min(c, d_max), generator=gen) * known[:, None]
    candidates = torch.randperm(num, generator=gen)[:12]
    # Every candidate that is not known must be scored.
    fresh = ~known[candidates] | (torch.rand(12, generator=gen) < 0.5)
    losses = torch.rand(12, generator=gen) * 2
    feats = torch.randn(int(fresh.sum()), c, generator=gen)
    args = (candidates, losses, feats, fresh, omega, alpha, feat, known, 4,
            0.5, 6, settings, labels)
    got = pool_round(*args)
    ref = spec_pool_round(*args)
    assert_state(got, ref, subset_sorted=True)
    assert torch.equal(got['known'], ref['known'])
    others = torch.ones(num, dtype=torch.bool)
    others[candidates] = False
    assert torch.equal(got['alpha'][others], alpha[others])
    assert torch.equal(got['feat'][others], feat[others])


def test_first_round_ignores_previous_features():
    losses, feats, omega, alpha, _, labels = _inputs(4)
    stale = torch.randn(N, C)
    got = selection_round(
        losses, feats, omega, alpha, stale, 0, 0.3, 0, labels=labels)
    assert torch.equal(got['feat'], feats)
    later = selection_round(
        losses, feats, omega, alpha, stale, 2, 0.3, 0, labels=labels)
    torch.testing.assert_close(later['feat'], 0.5 * stale + 0.5 * feats)


def test_omega_increments_exactly_on_subset_and_inputs_untouched():
    losses, feats, omega, alpha, prev, labels = _inputs(5, rounds=4)
    copies = [t.clone() for t in (losses, feats, omega, alpha, prev)]
    got = selection_round(
        losses,
        feats,
        omega,
        alpha,
        prev,
        4,
        0.2,
        1,
        RoundSettings(ratio=0.3),
        labels=labels)
    subset = got['subset']
    assert len(set(subset)) == len(subset)
    mask = torch.zeros(N, dtype=torch.bool)
    mask[subset] = True
    assert torch.equal(got['omega'][mask], omega[mask] + 1)
    assert torch.equal(got['omega'][~mask], omega[~mask])
    assert got['omega'].dtype == omega.dtype
    for before, after in zip(copies, (losses, feats, omega, alpha, prev)):
        assert torch.equal(before, after)


@pytest.mark.parametrize('n, ratio', [(23, 0.1), (23, 0.5), (23, 1.0),
                                      (10, 0.1), (7, 0.01), (40, 0.33)])
@pytest.mark.parametrize('selector', ['dpp', 'random'])
def test_subset_size_is_ceil_ratio_n(n, ratio, selector):
    losses, feats, omega, alpha, _, labels = _inputs(6, n=n)
    got = selection_round(
        losses,
        feats,
        omega,
        alpha,
        None,
        0,
        0.3,
        0,
        RoundSettings.from_selector(selector, ratio=ratio),
        labels=labels)
    assert len(got['subset']) == math.ceil(ratio * n)
    assert len(set(got['subset'])) == len(got['subset'])
    assert all(0 <= i < n for i in got['subset'])
    assert int(got['omega'].sum()) == math.ceil(ratio * n)
    assert subset_size(ratio, n) == len(got['subset'])


def test_random_selector_is_seeded_and_differs_from_dpp():
    losses, feats, omega, alpha, _, labels = _inputs(7)
    common = dict(ratio=0.2, seed=3)

    def run(selector, epoch=2, **kw):
        return selection_round(
            losses,
            feats,
            omega,
            alpha,
            None,
            0,
            0.3,
            epoch,
            RoundSettings.from_selector(selector, **{
                **common,
                **kw
            }),
            labels=labels)

    first = run('random')
    again = run('random')
    assert first['subset'] == again['subset']
    k = math.ceil(0.2 * N)
    expected = torch.randperm(
        N, generator=make_generator(3, 2, stream='criterion'))[:k]
    assert first['subset'] == expected.tolist()
    assert first['subset'] != run('dpp')['subset']
    assert first['subset'] != run('random', epoch=3)['subset']
    assert first['subset'] != run('random', seed=4)['subset']
    # Random selection ignores the scores; the state updates do not.
    flipped = selection_round(
        3 - losses,
        feats,
        omega,
        alpha,
        None,
        0,
        0.3,
        2,
        RoundSettings.from_selector('random', **common),
        labels=labels)
    assert flipped['subset'] == first['subset']
    assert not torch.equal(flipped['alpha'], first['alpha'])
    dpp = run('dpp')
    assert torch.equal(first['alpha'], dpp['alpha'])
    assert torch.equal(first['feat'], dpp['feat'])


def test_non_finite_losses_named():
    losses, feats, omega, alpha, _, labels = _inputs(9)
    losses[4] = float('nan')
    with pytest.raises(ValueError, match=r'distillation losses .*\[4\]'):
        selection_round(
            losses, feats, omega, alpha, None, 0, 0.3, 0, labels=labels)


def test_criterion_and_diversity_combine():
    losses, feats, omega, alpha, _, labels = _inputs(11)
    k = math.ceil(0.2 * N)
    s_hat = torch.tensor(
        spec_strength(losses, omega, 0, alpha, 0.3, RoundSettings())[0])

    def subset(criterion, diversity):
        settings = RoundSettings(
            ratio=0.2, criterion=criterion, diversity=diversity, seed=3)
        return selection_round(
            losses,
            feats,
            omega,
            alpha,
            None,
            0,
            0.3,
            2,
            settings,
            labels=labels)['subset']

    # Easiness without diversity: the k easiest samples.
    assert subset('easiness', 'none') == top_k(s_hat, k).tolist()
    # A random criterion with DPP: the random ranking as quality.
    scores = random_criterion(losses, s_hat,
                              make_generator(3, 2, stream='criterion'))
    expected = select_samples(
        feats, scores, k, labels=labels, seed=3 + 2).tolist()
    assert subset('random', 'dpp') == expected
    assert expected != subset('random', 'none')
    # select_subset is the diversity step of the round.
    assert select_subset(
        scores, feats, k, 2, RoundSettings(seed=3),
        labels=labels).tolist() == expected
