"""``SAKDRound`` (docs/method.md#selection-rounds) on a stand-in
distiller: consecutive rounds equal ``selection_round`` and ``pool_round``
called by hand on scores from ``score_samples``, with the candidates, the
reused training losses and the unreadable clips counted by hand."""
import math
from fractions import Fraction

import pytest
import torch
from sakd_stand_in import Clips, StandIn

from mmsakd.engine import build_scoring_loader, score_samples
from mmsakd.engine.sakd import (AllSamples, CandidatePool, DPPSelector,
                                InterruptionScorer, RandomSelector, SAKDRound,
                                SAKDState, TopKSelector)
from mmsakd.selection import (RoundSettings, candidate_pool, interruption_rate,
                              make_generator, pool_round, selection_round)

N = 24
LABELS = torch.arange(N) % 3
MAX_EPOCHS = 6
SEED = 3
BATCH = 5


def _sakd_round(scorer=None, **kwargs):
    scorer = dict(
        type='InterruptionScorer',
        batch_size=BATCH,
        progress=False,
        **(scorer or {}))
    sakd_round = SAKDRound(scorer=scorer, **kwargs)
    sakd_round.scorer.attach_dataset(Clips(N))
    return sakd_round


def _scores(model,
            epoch,
            indices=None,
            eta=0.5,
            theta=0.9,
            scope='batch',
            d_max=512):
    """The scoring pass by hand, and its interruption rate (Eq. 4)."""
    rate = interruption_rate(epoch, MAX_EPOCHS, theta)
    loader = build_scoring_loader(Clips(N), BATCH, 0, 0, indices)
    scores = score_samples(
        model,
        loader,
        rate,
        epoch,
        seed=SEED,
        eta=eta,
        scope=scope,
        progress=False,
        indices=indices,
        d_max=d_max)
    return scores, rate


def _assert_equal(state, ref):
    assert state.subset == ref['subset']
    assert all(type(i) is int for i in state.subset)
    assert state.rounds == ref['rounds']
    for name in ('omega', 'alpha', 'feat'):
        got = getattr(state, name)
        assert got.dtype == ref[name].dtype, name
        assert torch.equal(got, ref[name]), name


# Rounds at epoch 0 (clean clips), 2 (dropout) and 4 (shuffle, rate 0.63
# above eta 0.5), the last with another ratio.
ROUNDS = ((0, 0.25), (2, 0.25), (4, 0.5))

CASES = [
    # The method.
    (dict(), dict(), dict(lam=0.5, norm='max')),
    (dict(
        scorer=dict(eta=0.3, theta=1.5, scope='clip'),
        selector=dict(type='TopKSelector', criterion='low_loss'),
        lam=0.3,
        norm='rank'), dict(eta=0.3, theta=1.5, scope='clip'),
     dict(lam=0.3, norm='rank', criterion='low_loss', diversity='none')),
    # The features are projected to d_max = 4 in the scoring pass.
    (dict(scorer=dict(d_max=4), selector=RandomSelector()), dict(d_max=4),
     dict(lam=0.5, norm='max', criterion='random', diversity='none')),
    (dict(
        selector=dict(
            type='DPPSelector',
            gamma=0.8,
            sigma=0.01,
            partition='random',
            block_size=5)), dict(),
     dict(
         lam=0.5,
         norm='max',
         gamma=0.8,
         sigma=0.01,
         partition='random',
         block_size=5)),
]


@pytest.mark.parametrize(
    'kwargs, scoring, fields',
    CASES,
    ids=['method', 'top_k', 'random_projected', 'dpp_random_blocks'])
def test_all_samples_equal_selection_round(kwargs, scoring, fields):
    sakd_round = _sakd_round(**kwargs)
    assert isinstance(sakd_round.candidates, AllSamples)
    model = StandIn(channels=6)
    state = SAKDState(N, alpha_init=0.1, seed=SEED)
    ref = dict(omega=state.omega, alpha=state.alpha, feat=None, rounds=0)
    for epoch, ratio in ROUNDS:
        result = sakd_round.run(model, state, epoch, MAX_EPOCHS, ratio, LABELS)
        scores, rate = _scores(model, epoch, **scoring)
        settings = RoundSettings(ratio=ratio, seed=SEED, **fields)
        ref = selection_round(scores.losses, scores.feats, ref['omega'],
                              ref['alpha'], ref['feat'], ref['rounds'], rate,
                              epoch, settings, LABELS)
        # The method's subset comes in the order it was selected.
        _assert_equal(state, ref)
        assert state.feat.shape == (N, scoring.get('d_max', 6))
        assert (result.epoch, result.rate, result.ratio) == (epoch, rate,
                                                             ratio)
        assert (result.scored, result.reused, result.skipped) == (N, 0, [])
        assert torch.equal(result.candidates, torch.arange(N))
        assert torch.equal(result.losses, scores.losses)
        assert result.score_time >= 0 and result.select_time >= 0
        assert result.score_data_time >= 0
    # Every sample is scored every round: no pool state is kept.
    assert state.last_scored.tolist() == [-1] * N
    assert state.has_feat.tolist() == [False] * N


def test_features_are_projected_once():
    """The scoring pass projects the features to d_max with the run's
    seed; equal to the round projecting the wide features itself."""
    sakd_round = _sakd_round(scorer=dict(d_max=4))
    model = StandIn(channels=6)
    state = SAKDState(N, seed=SEED)
    ref = dict(omega=state.omega, alpha=state.alpha, feat=None, rounds=0)
    for epoch, ratio in ROUNDS:
        sakd_round.run(model, state, epoch, MAX_EPOCHS, ratio, LABELS)
        scores, rate = _scores(model, epoch, d_max=None)
        assert scores.feats.shape == (N, 6)
        settings = RoundSettings(ratio=ratio, seed=SEED, d_max=4)
        ref = selection_round(scores.losses, scores.feats, ref['omega'],
                              ref['alpha'], ref['feat'], ref['rounds'], rate,
                              epoch, settings, LABELS)
        assert state.subset == ref['subset']
        assert torch.equal(state.omega, ref['omega'])
        assert torch.equal(state.alpha, ref['alpha'])
        torch.testing.assert_close(state.feat, ref['feat'])


def _mask(indices):
    mask = torch.zeros(N, dtype=torch.bool)
    mask[list(indices)] = True
    return mask


def test_skipped_clips_are_no_candidates():
    sakd_round = _sakd_round()
    model = StandIn()
    state = SAKDState(N, alpha_init=0.2, seed=SEED)
    ref = dict(omega=state.omega, alpha=state.alpha, feat=None, rounds=0)
    kept = {}
    for epoch, skipped in ((1, []), (2, [2, 5, 11]), (3, [2, 5, 11, 20])):
        skipped = _mask(skipped)
        result = sakd_round.run(
            model, state, epoch, MAX_EPOCHS, 0.25, LABELS, skipped=skipped)
        readable = (~skipped).nonzero().flatten()
        indices = None if not skipped.any() else readable.tolist()
        scores, rate = _scores(model, epoch, indices)
        settings = RoundSettings(ratio=0.25, seed=SEED)
        if indices is None:
            ref = selection_round(scores.losses, scores.feats, ref['omega'],
                                  ref['alpha'], ref['feat'], ref['rounds'],
                                  rate, epoch, settings, LABELS)
        else:
            # Every readable clip was scored in every earlier round.
            known = torch.full((N, ), ref['feat'] is not None)
            ref = pool_round(readable, scores.losses, scores.feats,
                             torch.ones(len(readable), dtype=torch.bool),
                             ref['omega'], ref['alpha'], ref['feat'], known,
                             ref['rounds'], rate, epoch, settings, LABELS)
            # Handed over in index order.
            assert state.subset == sorted(state.subset)
        _assert_equal(state, ref)
        assert (result.scored, result.reused) == (len(readable), 0)
        assert torch.equal(result.candidates, readable)
        assert not set(state.subset) & set(
            skipped.nonzero().flatten().tolist())
        kept[epoch] = (state.omega.clone(), state.alpha.clone(),
                       state.feat.clone())
    # An unreadable clip keeps the state of the last round that read it.
    for epoch, indices in ((1, [2, 5, 11]), (2, [20])):
        for got, before in zip((state.omega, state.alpha, state.feat),
                               kept[epoch]):
            assert torch.equal(got[indices], before[indices])


def _train(state, ref, epoch):
    """A training epoch on the subset: each sample's KD loss, recorded."""
    gen = torch.Generator().manual_seed(epoch)
    indices = torch.tensor(state.subset)
    losses = torch.rand(len(indices), generator=gen) * 2
    state.record_train_losses(indices, losses)
    ref['train_loss'][indices] = losses
    ref['trained'][indices] = True


@pytest.mark.parametrize('pool_factor, pool_random, reuse', [(0.5, 0.5, True),
                                                             (None, 0.5, True),
                                                             (1, 0., False),
                                                             (2, 1., True)])
def test_candidate_pool_equals_pool_round(pool_factor, pool_random, reuse):
    sakd_round = _sakd_round(
        candidates=dict(
            type='CandidatePool',
            pool_factor=pool_factor,
            pool_random=pool_random,
            reuse_train_losses=reuse),
        selector=dict(type='DPPSelector', gamma=0.3))
    model = StandIn()
    state = SAKDState(N, seed=SEED)
    ref = dict(
        omega=state.omega,
        alpha=state.alpha,
        feat=None,
        rounds=0,
        known=torch.zeros(N, dtype=torch.bool),
        last_scored=torch.full((N, ), -1),
        trained=torch.zeros(N, dtype=torch.bool),
        train_loss=torch.zeros(N))
    total_reused = 0
    rounds = ((1, 0.25, []), (2, 0.25, []), (3, 0.5, [4]), (4, 0.25, [4, 9]))
    for epoch, ratio, skipped in rounds:
        skipped = _mask(skipped)
        result = sakd_round.run(
            model, state, epoch, MAX_EPOCHS, ratio, LABELS, skipped=skipped)

        # The round by hand.
        k = math.ceil(Fraction(str(ratio)) * N)
        reused = torch.zeros(N, dtype=torch.bool)
        if reuse:
            reused = ref['trained'] & ref['known'] & ~skipped
        num_reused = int(reused.sum())
        size = N - num_reused - int(skipped.sum())
        if pool_factor is not None:
            size = min(
                size,
                max(math.ceil(Fraction(str(pool_factor)) * k), k - num_reused))
        fresh = candidate_pool(
            ref['last_scored'],
            size,
            pool_random,
            generator=make_generator(SEED, epoch, stream='pool'),
            exclude=reused | skipped)
        scores, rate = _scores(model, epoch, fresh.tolist())
        reused_idx = reused.nonzero().flatten()
        candidates = torch.cat([scores.indices, reused_idx])
        losses = torch.cat([scores.losses, ref['train_loss'][reused_idx]])
        settings = RoundSettings(ratio=ratio, seed=SEED, gamma=0.3)
        out = pool_round(candidates, losses, scores.feats,
                         torch.arange(len(candidates)) < len(fresh),
                         ref['omega'], ref['alpha'], ref['feat'], ref['known'],
                         ref['rounds'], rate, epoch, settings, LABELS)
        ref['last_scored'][candidates] = ref['rounds']
        ref['trained'].zero_()
        ref.update(out)

        _assert_equal(state, ref)
        assert torch.equal(state.has_feat, ref['known'])
        assert torch.equal(state.last_scored, ref['last_scored'])
        assert state.trained_since_round.tolist() == [False] * N
        assert (result.scored, result.reused) == (len(fresh), num_reused)
        assert torch.equal(result.candidates, candidates)
        assert torch.equal(result.losses, losses)
        assert not set(candidates.tolist()) & set(
            skipped.nonzero().flatten().tolist())
        total_reused += num_reused
        _train(state, ref, epoch)
    assert (total_reused > 0) == reuse


def test_round_of_reused_losses_only_scores_nothing():
    sakd_round = _sakd_round(candidates=CandidatePool(reuse_train_losses=True))
    model = StandIn()
    state = SAKDState(N, seed=SEED)
    # Every sample is scored, selected and trained.
    sakd_round.run(model, state, 1, MAX_EPOCHS, 1.0, LABELS)
    assert sorted(state.subset) == list(range(N))
    train_loss = torch.linspace(0.1, 2.0, N)
    state.record_train_losses(torch.arange(N), train_loss)
    before = dict(omega=state.omega, alpha=state.alpha, feat=state.feat)

    sakd_round.scorer.attach(lambda indices: pytest.fail('scored'))
    result = sakd_round.run(model, state, 2, MAX_EPOCHS, 0.25, LABELS)
    rate = interruption_rate(2, MAX_EPOCHS, 0.9)
    ref = pool_round(
        torch.arange(N), train_loss, None, torch.zeros(N, dtype=torch.bool),
        before['omega'], before['alpha'], before['feat'],
        torch.ones(N, dtype=torch.bool), 1, rate, 2,
        RoundSettings(ratio=0.25, seed=SEED), LABELS)
    _assert_equal(state, ref)
    # The features are kept as they were.
    assert torch.equal(state.feat, before['feat'])
    assert (result.scored, result.reused, result.skipped) == (0, N, [])
    assert state.last_scored.tolist() == [1] * N


def test_components_build_from_dicts():
    sakd_round = SAKDRound(
        scorer=dict(type='InterruptionScorer', eta=0.3, d_max=16),
        candidates=dict(type='CandidatePool', pool_factor=2),
        selector=dict(type='TopKSelector', criterion='band'),
        lam=0.25,
        norm='rank')
    assert type(sakd_round.scorer) is InterruptionScorer
    assert (sakd_round.scorer.eta, sakd_round.scorer.d_max) == (0.3, 16)
    assert type(sakd_round.candidates) is CandidatePool
    assert sakd_round.candidates.pool_factor == 2
    assert type(sakd_round.selector) is TopKSelector
    assert sakd_round.selector.fields['criterion'] == 'band'
    assert (sakd_round.lam, sakd_round.norm) == (0.25, 'rank')
    # Built components are taken as they are; None gives the method's.
    selector = RandomSelector()
    assert SAKDRound(selector=selector).selector is selector
    defaults = SAKDRound()
    assert type(defaults.scorer) is InterruptionScorer
    assert type(defaults.candidates) is AllSamples
    assert type(defaults.selector) is DPPSelector


@pytest.mark.parametrize('kwargs, error, part, message', [
    (dict(scorer=dict(type='InterruptionScorer', batch_size=0)), ValueError,
     'scorer', 'batch_size must be an integer >= 1'),
    (dict(candidates=dict(type='CandidatePool', pool_random=2)), ValueError,
     'candidates', r'pool_random must be in \[0, 1\]'),
    (dict(candidates=dict(type='AllSamples', pool_factor=2)), TypeError,
     'candidates', 'AllSamples'),
    (dict(selector=dict(type='DPPSelector', gamma=-1)), ValueError, 'selector',
     r'gamma must be in \[0, 1\]'),
    (dict(selector=dict(type='RandomSelector', gamma=0.5)), TypeError,
     'selector', 'gamma'),
    (dict(selector=dict(type='KMeansSelector')), KeyError, 'selector',
     'KMeansSelector'),
])
def test_bad_component_key_names_the_component(kwargs, error, part, message):
    with pytest.raises(error, match=message) as info:
        SAKDRound(**kwargs)
    assert info.value.args[0].startswith(f'default_hooks.sakd.{part}: ')


@pytest.mark.parametrize('kwargs, message', [
    (dict(lam=1), r'lam must be in \[0, 1\)'),
    (dict(norm='mean'), 'norm must be'),
])
def test_bad_round_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SAKDRound(**kwargs)
