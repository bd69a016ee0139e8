"""The flat ``SAKDHook`` arguments of earlier releases: each lands at the
component key of docs/method.md's table, warns naming that key, and builds
the hook that the nested config builds."""
import re
import warnings

import pytest

from mmsakd.engine.hooks import SAKDHook
from mmsakd.engine.sakd import CandidatePool, SAKDRound
from mmsakd.engine.sakd.flat_args import nest_flat_args
from mmsakd.selection import RoundSettings

# Flat argument, a value, and its key in docs/method.md's table.
FLAT = [
    ('eta', 0.3, 'scorer', 'eta'),
    ('theta', 1.2, 'scorer', 'theta'),
    ('scope', 'clip', 'scorer', 'scope'),
    ('patch_size', 8, 'scorer', 'patch_size'),
    ('score_batch_size', 16, 'scorer', 'batch_size'),
    ('score_num_workers', 2, 'scorer', 'num_workers'),
    ('score_pipeline', [dict(type='DecordInit')], 'scorer', 'pipeline'),
    ('d_max', 128, 'scorer', 'd_max'),
    ('gamma', 0.3, 'selector', 'gamma'),
    ('sigma', 0.01, 'selector', 'sigma'),
    ('partition', 'random', 'selector', 'partition'),
    ('block_size', 64, 'selector', 'block_size'),
    ('criterion', 'low_loss', 'selector', 'criterion'),
    ('pool_factor', 0.5, 'candidates', 'pool_factor'),
    ('pool_random', 0.25, 'candidates', 'pool_random'),
    ('reuse_train_losses', True, 'candidates', 'reuse_train_losses'),
]
PARTS = ('scorer', 'candidates', 'selector')


def _nest(scorer=None, candidates=None, selector=None, **flat):
    """``nest_flat_args`` as a dict of parts, and the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        parts = nest_flat_args(scorer, candidates, selector, flat)
    return dict(zip(PARTS, parts)), [str(w.message) for w in caught]


def _warning(name, new):
    return (f'SAKDHook({name}=...) is deprecated: set '
            f'default_hooks.sakd.{new} instead')


def test_no_flat_arguments_no_warning():
    parts, caught = _nest()
    assert parts == dict(
        scorer=dict(type='InterruptionScorer'),
        candidates=dict(type='AllSamples'),
        selector=dict(type='DPPSelector'))
    assert caught == []


@pytest.mark.parametrize('name, value, part, key', FLAT)
def test_flat_argument_lands_at_its_key(name, value, part, key):
    with pytest.warns(
            DeprecationWarning,
            match=re.escape(f'default_hooks.sakd.{part}.{key}')):
        nest_flat_args(None, None, None, {name: value})
    # A pool, which reads every pool key.
    pool = dict(type='CandidatePool') if part == 'candidates' else None
    parts, caught = _nest(candidates=pool, **{name: value})
    assert caught == [_warning(name, f'{part}.{key}')]
    assert parts[part][key] == value
    # The other parts are as given.
    defaults, _ = _nest(candidates=pool)
    for other in set(PARTS) - {part}:
        assert parts[other] == defaults[other]


def test_warning_names_the_scorer_batch_size():
    with pytest.warns(
            DeprecationWarning, match='default_hooks.sakd.scorer.batch_size'):
        SAKDHook(score_batch_size=8)


@pytest.mark.parametrize('value, selector', [('dpp', 'DPPSelector'),
                                             ('none', 'TopKSelector')])
def test_diversity_sets_the_selector_type(value, selector):
    parts, caught = _nest(diversity=value)
    assert caught == [
        _warning(
            'diversity', "selector.type ('DPPSelector' for 'dpp', "
            "'TopKSelector' for 'none')")
    ]
    assert parts['selector'] == dict(type=selector)
    with pytest.raises(ValueError, match="diversity must be 'dpp' or 'none'"):
        _nest(diversity='mmr')


def _settings(hook):
    return hook.round.selector.round_settings(ratio=0.1)


@pytest.mark.parametrize('flat, criterion, diversity', [
    (dict(selector='dpp'), 'easiness', 'dpp'),
    (dict(selector='random'), 'random', 'none'),
    (dict(selector='random', criterion='low_loss'), 'low_loss', 'none'),
    (dict(selector='random', diversity='dpp'), 'random', 'dpp'),
    (dict(selector='dpp', diversity='none'), 'easiness', 'none'),
    (dict(criterion='band'), 'band', 'dpp'),
    (dict(criterion='band', diversity='none'), 'band', 'none'),
    (dict(selector=dict(type='RandomSelector'),
          criterion='easiness'), 'easiness', 'none'),
    (dict(selector=dict(type='RandomSelector'),
          diversity='dpp'), 'random', 'dpp'),
])
def test_selector_names_and_overrides(flat, criterion, diversity):
    """As ``RoundSettings.from_selector`` with ``criterion`` and
    ``diversity`` overridden, as in earlier releases."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        hook = SAKDHook(**flat)
    assert caught and all(w.category is DeprecationWarning for w in caught)
    expected = RoundSettings(
        ratio=0.1, criterion=criterion, diversity=diversity)
    assert _settings(hook) == expected


def test_selector_random_is_the_random_selector():
    with pytest.warns(DeprecationWarning, match='default_hooks.sakd.selector'):
        flat = SAKDHook(selector='random')
    nested = SAKDHook(selector=dict(type='RandomSelector'))
    assert _settings(flat) == _settings(nested)
    assert flat.round.selector.fields == nested.round.selector.fields
    # The keys of greedy DPP are accepted and unused, as before.
    with pytest.warns(DeprecationWarning):
        flat = SAKDHook(selector='random', gamma=0.9, sigma=0.1)
    assert _settings(flat) == _settings(nested)


def test_bad_selector_name():
    with pytest.raises(ValueError, match="selector must be one of"):
        _nest(selector='kmeans')


@pytest.mark.parametrize('flat, candidates', [
    (dict(pool_random=0.25), dict(type='AllSamples')),
    (dict(pool_factor=None), dict(type='AllSamples')),
    (dict(reuse_train_losses=False), dict(type='AllSamples')),
    (dict(pool_factor=None, pool_random=0.3,
          reuse_train_losses=False), dict(type='AllSamples')),
    (dict(pool_factor=0.5), dict(type='CandidatePool', pool_factor=0.5)),
    (dict(reuse_train_losses=True, pool_random=0.1),
     dict(type='CandidatePool', reuse_train_losses=True, pool_random=0.1)),
])
def test_pool_keys(flat, candidates):
    parts, caught = _nest(**flat)
    assert parts['candidates'] == candidates
    assert len(caught) == len(flat)


@pytest.mark.parametrize('flat, error, message', [
    (dict(pool_random=1.5), ValueError, r'pool_random must be in \[0, 1\]'),
    (dict(pool_factor=None,
          pool_random=-1), ValueError, r'pool_random must be in \[0, 1\]'),
    (dict(pool_factor=-1), ValueError, 'pool_factor must be a number > 0'),
    (dict(reuse_train_losses=0), TypeError,
     'reuse_train_losses must be a bool'),
])
def test_pool_keys_are_checked_without_a_pool(flat, error, message):
    with pytest.raises(error, match=message):
        SAKDHook(**flat)


def test_flat_argument_overrides_the_nested_key():
    scorer = dict(type='InterruptionScorer', eta=0.3, d_max=64)
    candidates = dict(type='CandidatePool', pool_factor=2.)
    parts, _ = _nest(scorer, candidates, eta=0.7, pool_factor=0.5)
    assert parts['scorer'] == dict(
        type='InterruptionScorer', eta=0.7, d_max=64)
    assert parts['candidates'] == dict(type='CandidatePool', pool_factor=0.5)
    # The caller's configs are left as they were.
    assert scorer['eta'] == 0.3 and candidates['pool_factor'] == 2.


@pytest.mark.parametrize('call', [
    lambda: nest_flat_args(None, None, None, dict(bogus=1, eta=0.5)),
    lambda: SAKDHook(bogus=1),
])
def test_unknown_argument(call):
    with pytest.raises(TypeError, match="unexpected arguments.*'bogus'"):
        call()


def _components(hook):
    """The hook's settings and its components' attributes."""
    sakd_round = hook.round
    scorer = {
        k: v
        for k, v in vars(sakd_round.scorer).items() if not k.startswith('_')
    }
    candidates = vars(sakd_round.candidates)
    pool = isinstance(sakd_round.candidates, CandidatePool)
    return dict(
        schedule=vars(hook.schedule),
        hook=(hook.alpha_init, hook.alpha_min, hook.seed, hook.log_file),
        round=(sakd_round.lam, sakd_round.norm),
        scorer=scorer,
        candidates=(pool, candidates,
                    sakd_round.candidates.reuses_train_losses),
        selector=sakd_round.selector.fields)


COMBINATIONS = [
    (dict(
        ratio=0.2,
        eta=0.3,
        theta=1.2,
        score_batch_size=8,
        d_max=128,
        gamma=0.3),
     dict(
         ratio=0.2,
         scorer=dict(
             type='InterruptionScorer',
             eta=0.3,
             theta=1.2,
             batch_size=8,
             d_max=128),
         selector=dict(type='DPPSelector', gamma=0.3))),
    (dict(
        selector='random',
        pool_factor=0.5,
        reuse_train_losses=True,
        pool_random=0.25,
        warmup_epochs=1,
        alpha_min=0.2),
     dict(
         selector=dict(type='RandomSelector'),
         candidates=dict(
             type='CandidatePool',
             pool_factor=0.5,
             reuse_train_losses=True,
             pool_random=0.25),
         warmup_epochs=1,
         alpha_min=0.2)),
    (dict(
        diversity='none',
        criterion='low_loss',
        scope='clip',
        partition='random',
        lam=0.3,
        seed=4),
     dict(
         scorer=dict(type='InterruptionScorer', scope='clip'),
         selector=dict(type='TopKSelector', criterion='low_loss'),
         lam=0.3,
         seed=4)),
    (dict(
        criterion='keep_high',
        sigma=0.01,
        block_size=64,
        score_num_workers=2,
        score_pipeline=[dict(type='DecordInit')],
        patch_size=8,
        scorer=dict(type='InterruptionScorer', eta=0.4)),
     dict(
         scorer=dict(
             type='InterruptionScorer',
             eta=0.4,
             num_workers=2,
             pipeline=[dict(type='DecordInit')],
             patch_size=8),
         selector=dict(
             type='DPPSelector',
             criterion='keep_high',
             sigma=0.01,
             block_size=64))),
    (dict(selector='dpp', pool_random=0.7), dict()),
]


@pytest.mark.parametrize('flat, nested', COMBINATIONS)
def test_flat_and_nested_hooks_are_equal(flat, nested):
    with pytest.warns(DeprecationWarning):
        from_flat = SAKDHook(**flat)
    with warnings.catch_warnings():
        warnings.simplefilter('error', DeprecationWarning)
        from_nested = SAKDHook(**nested)
    assert _components(from_flat) == _components(from_nested)


@pytest.mark.parametrize('nested, part', [
    (dict(candidates=dict(type='AllSamples', pool_factor=0.5)), 'candidates'),
    (dict(candidates=dict(type='AllSamples', reuse_train_losses=True)),
     'candidates'),
    (dict(selector=dict(type='TopKSelector', gamma=0.3)), 'selector'),
])
def test_nested_components_are_as_strict_as_the_round(nested, part):
    """Without flat arguments the hook builds what ``SAKDRound`` builds: a
    key the component does not take is an error naming the component, not
    dropped (``default_hooks.sakd.candidates.pool_factor=0.5`` on a config
    with ``AllSamples`` would otherwise score every sample)."""
    with pytest.raises(TypeError) as expected:
        SAKDRound(**nested)
    with pytest.raises(TypeError) as got:
        SAKDHook(**nested)
    assert str(got.value).startswith(f'default_hooks.sakd.{part}: ')
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize('name, value', [('gamma', 0.3),
                                         ('partition', 'random')])
def test_flat_dpp_keys_with_a_random_selector(name, value):
    """The SAKD+ configs select with ``RandomSelector``; a flat key of
    greedy DPP (``--cfg-options default_hooks.sakd.gamma=0.3``) is unused
    by it and warns, as with ``selector='random'``."""
    with pytest.warns(DeprecationWarning, match=f'selector.{name}'):
        hook = SAKDHook(selector=dict(type='RandomSelector'), **{name: value})
    assert _settings(hook) == _settings(SAKDHook(selector='random'))


def test_component_without_type_takes_the_default_type():
    """``--cfg-options default_hooks.sakd.selector.gamma=0.3`` on a config
    without ``selector`` gives a dict without ``type``: it is the default
    component with that key; a key the default does not take is an error
    naming the component."""
    hook = SAKDHook(selector=dict(gamma=0.3), scorer=dict(eta=0.3))
    assert type(hook.round.selector).__name__ == 'DPPSelector'
    assert hook.round.selector.fields['gamma'] == 0.3
    assert hook.round.scorer.eta == 0.3
    with pytest.raises(TypeError) as error:
        SAKDHook(candidates=dict(pool_factor=0.5))
    assert error.value.args[0].startswith('default_hooks.sakd.candidates: ')


def test_criterion_and_diversity_none_keep_the_selectors():
    """None was their default in earlier releases: the selector's own."""
    with warnings.catch_warnings():
        warnings.simplefilter('error', DeprecationWarning)
        parts = nest_flat_args(None, None, None,
                               dict(criterion=None, diversity=None))
    assert parts[2] == dict(type='DPPSelector')


def test_flat_diversity_none_leaves_the_configs_dpp_keys():
    """A config's DPP selector with ``gamma``, switched to top-k by a flat
    ``diversity='none'`` (the benchmark's SAKD+ variants): ``gamma`` goes
    with greedy DPP."""
    hook = SAKDHook(
        selector=dict(type='DPPSelector', criterion='easiness', gamma=0.5),
        criterion='random',
        diversity='none')
    assert _settings(hook) == _settings(SAKDHook(selector='random'))
