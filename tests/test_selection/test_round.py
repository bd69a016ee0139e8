import math

import pytest
import torch

from mmsakd.selection import (CRITERIA, RoundSettings, easiness, fuse_features,
                              make_generator, normalize_easiness,
                              project_features, random_criterion,
                              select_samples, select_subset,
                              selection_probability, selection_round,
                              subset_size, top_k, update_strength)

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


def _reference(losses, feats, omega, alpha, prev, rounds, rate, epoch, ratio,
               lam, gamma, norm, d_max, sigma, labels, partition, block_size,
               seed):
    """docs/method.md#difficulty to #selection, one public function per
    step."""
    p = selection_probability(omega, rounds)
    s_hat = normalize_easiness(easiness(losses, p), norm)
    new_alpha = update_strength(alpha, s_hat, rate, lam)
    projected = project_features(feats, d_max, seed)
    new_feat = fuse_features(prev, projected, lam, first_round=rounds == 0)
    k = math.ceil(ratio * len(losses))
    subset = select_samples(
        new_feat,
        s_hat,
        k,
        gamma=gamma,
        labels=labels,
        partition=partition,
        block_size=block_size,
        sigma=sigma,
        seed=seed + epoch)
    new_omega = omega.clone()
    new_omega[subset] += 1
    return dict(
        omega=new_omega,
        alpha=new_alpha,
        feat=new_feat,
        subset=subset.tolist(),
        rounds=rounds + 1)


CASES = [
    # rounds, ratio, lam, gamma, norm, d_max, partition, block_size, seed
    (0, 0.1, 0.5, 0.5, 'max', 512, 'class', 4096, 0),
    (3, 0.25, 0.7, 0.3, 'rank', 8, 'class', 4, 1),
    (5, 0.5, 0.2, 0.9, 'max', 8, 'random', 7, 2),
]


@pytest.mark.parametrize(
    'rounds, ratio, lam, gamma, norm, d_max, partition, block_size, seed',
    CASES)
def test_matches_step_by_step_reference(rounds, ratio, lam, gamma, norm, d_max,
                                        partition, block_size, seed):
    losses, feats, omega, alpha, prev, labels = _inputs(
        seed, rounds=rounds, d=min(C, d_max))
    kwargs = dict(
        ratio=ratio,
        lam=lam,
        gamma=gamma,
        norm=norm,
        d_max=d_max,
        sigma=1e-3,
        partition=partition,
        block_size=block_size,
        seed=seed)
    got = selection_round(
        losses,
        feats,
        omega,
        alpha,
        prev,
        rounds,
        0.4,
        3,
        settings=RoundSettings(**kwargs),
        labels=labels)
    ref = _reference(
        losses,
        feats,
        omega,
        alpha,
        prev,
        rounds,
        rate=0.4,
        epoch=3,
        labels=labels,
        **kwargs)
    assert set(got) == set(ref)
    assert got['subset'] == ref['subset']
    assert all(type(i) is int for i in got['subset'])
    assert got['rounds'] == ref['rounds'] == rounds + 1
    assert torch.equal(got['omega'], ref['omega'])
    torch.testing.assert_close(got['alpha'], ref['alpha'], rtol=0, atol=0)
    torch.testing.assert_close(got['feat'], ref['feat'], rtol=0, atol=0)
    # The projection applies above d_max only.
    assert got['feat'].shape == (N, min(C, d_max))


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


def test_subset_size_checks():
    assert [subset_size(0.1, n) for n in (0, 1, 10, 11, 24)] == [0, 1, 1, 2, 3]
    with pytest.raises(ValueError, match=r'ratio must be in \(0, 1\]'):
        subset_size(0, 10)
    with pytest.raises(ValueError, match='num_samples must be an integer'):
        subset_size(0.5, -1)


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
    expected = torch.randperm(N, generator=make_generator(3, 2, 0))[:k]
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


def test_bad_selector():
    with pytest.raises(
            ValueError,
            match="selector must be 'dpp' or "
            "'random', got 'greedy'"):
        RoundSettings.from_selector('greedy')


def test_non_finite_losses_named():
    losses, feats, omega, alpha, _, labels = _inputs(9)
    losses[4] = float('nan')
    with pytest.raises(ValueError, match=r'distillation losses .*\[4\]'):
        selection_round(
            losses, feats, omega, alpha, None, 0, 0.3, 0, labels=labels)


def test_rounds_chain():
    losses, feats, omega, alpha, _, labels = _inputs(10)
    state = dict(omega=omega.zero_(), alpha=alpha, feat=None, rounds=0)
    for epoch in range(3):
        state = selection_round(
            losses,
            feats,
            state['omega'],
            state['alpha'],
            state['feat'],
            state['rounds'],
            0.3,
            epoch,
            RoundSettings(ratio=0.2),
            labels=labels)
        assert state['rounds'] == epoch + 1
    assert int(state['omega'].sum()) == 3 * math.ceil(0.2 * N)
    assert int(state['omega'].max()) <= 3


@pytest.mark.parametrize('kwargs, message', [
    (dict(ratio=0), r'ratio must be in \(0, 1\]'),
    (dict(lam=1), r'lam must be in \[0, 1\)'),
    (dict(gamma=1.5), r'gamma must be in \[0, 1\]'),
    (dict(norm='mean'), "norm must be 'max' or 'rank', got 'mean'"),
    (dict(d_max=0), 'd_max must be an integer >= 1, got 0'),
    (dict(sigma=0), 'sigma must be > 0'),
    (dict(partition='kmeans'), "partition must be 'class' or 'random'"),
    (dict(block_size=2.0), 'block_size must be an integer >= 1'),
    (dict(criterion='loss'),
     "criterion must be one of 'easiness', 'random', 'low_loss'"),
    (dict(diversity='mmr'), "diversity must be 'dpp' or 'none'"),
    (dict(seed=-1), 'seed must be an integer >= 0'),
])
def test_settings_checks_name_field_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RoundSettings(**kwargs)


def test_settings_are_frozen_and_selectors_expand():
    settings = RoundSettings.from_selector('random', ratio=0.3)
    assert (settings.criterion, settings.diversity) == ('random', 'none')
    assert settings.ratio == 0.3
    default = RoundSettings()
    assert (default.criterion, default.diversity) == ('easiness', 'dpp')
    assert RoundSettings.from_selector('dpp') == default
    with pytest.raises(AttributeError):
        default.ratio = 0.5


def test_random_criterion_ranks_as_randperm():
    n = 50
    scores = random_criterion(
        torch.zeros(n), torch.zeros(n), make_generator(1, 2, 0))
    perm = torch.randperm(n, generator=make_generator(1, 2, 0))
    assert scores.unique().numel() == n
    assert float(scores.min()) > 0 and float(scores.max()) == 1
    for k in (0, 1, 7, n):
        assert torch.equal(top_k(scores, k), perm[:k])


def test_easiness_criterion_is_s_hat():
    s_hat = torch.rand(10)
    assert CRITERIA['easiness'](torch.rand(10), s_hat, None) is s_hat


def test_criterion_and_diversity_combine():
    losses, feats, omega, alpha, _, labels = _inputs(11)
    k = math.ceil(0.2 * N)
    s_hat = normalize_easiness(
        easiness(losses, selection_probability(omega, 0)))

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
    scores = random_criterion(losses, s_hat, make_generator(3, 2, 0))
    expected = select_samples(
        feats, scores, k, labels=labels, seed=3 + 2).tolist()
    assert subset('random', 'dpp') == expected
    assert expected != subset('random', 'none')
    # select_subset is the diversity step of the round.
    assert select_subset(
        scores, feats, k, 2, RoundSettings(seed=3),
        labels=labels).tolist() == expected


def test_low_loss_band_and_keep_high_criteria():
    s_hat = torch.tensor([0.0, 0.2, 0.5, 0.9, 1.0, 0.4])
    losses = torch.zeros(6)
    gen = torch.Generator().manual_seed(0)
    torch.testing.assert_close(CRITERIA['low_loss'](losses, s_hat, gen),
                               1 - s_hat)
    band = CRITERIA['band'](losses, s_hat, gen)
    # Rank quantiles 0, .2, .6, .8, 1, .4: the middle two score highest.
    torch.testing.assert_close(
        band, torch.tensor([0., .4, .8, .4, 0., .8], dtype=torch.float64))
    keep = CRITERIA['keep_high'](losses, s_hat, gen)
    high = s_hat >= s_hat.mean()
    assert bool((keep[high] >= 0.5).all()) and bool((keep[~high] < 0.5).all())
    # The top 3 are the 3 high samples, whatever the random order.
    assert set(top_k(keep,
                     3).tolist()) == set(high.nonzero().flatten().tolist())
    other = CRITERIA['keep_high'](losses, s_hat,
                                  torch.Generator().manual_seed(1))
    assert not torch.equal(keep, other)
