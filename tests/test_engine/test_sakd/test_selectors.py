"""The selectors (docs/method.md#selection): the ``RoundSettings`` each
gives ``update_and_select``, written out field by field."""
import pytest

from mmsakd.engine.sakd import DPPSelector, RandomSelector, TopKSelector
from mmsakd.registry import TASK_UTILS
from mmsakd.selection import RoundSettings

#: The round's fields that the selectors do not set.
ROUND = dict(ratio=0.2, seed=3, lam=0.4, norm='rank')


def test_dpp_selector_is_the_method():
    assert DPPSelector().round_settings(**ROUND) == RoundSettings(
        ratio=0.2,
        lam=0.4,
        gamma=0.5,
        norm='rank',
        d_max=None,
        sigma=1e-3,
        partition='class',
        block_size=4096,
        criterion='easiness',
        diversity='dpp',
        seed=3)


def test_dpp_selector_fields():
    selector = DPPSelector(
        criterion='low_loss',
        gamma=0.3,
        sigma=0.01,
        partition='random',
        block_size=16)
    settings = selector.round_settings(**ROUND)
    assert settings == RoundSettings(
        ratio=0.2,
        lam=0.4,
        gamma=0.3,
        norm='rank',
        sigma=0.01,
        partition='random',
        block_size=16,
        criterion='low_loss',
        diversity='dpp',
        seed=3)
    # The scoring pass projects the features (Eq. 7); a round never does.
    assert settings.d_max is None


def test_top_k_selector_fields():
    settings = TopKSelector('band').round_settings(**ROUND)
    assert settings == RoundSettings(
        ratio=0.2,
        lam=0.4,
        norm='rank',
        criterion='band',
        diversity='none',
        seed=3)
    assert TopKSelector().round_settings().criterion == 'easiness'


def test_random_selector_is_random_top_k():
    random = RandomSelector()
    top_k = TopKSelector('random')
    assert random.fields == top_k.fields == dict(
        criterion='random', diversity='none')
    assert random.round_settings(**ROUND) == top_k.round_settings(**ROUND)
    assert random.round_settings(
        **ROUND) == RoundSettings.from_selector('random', **ROUND)
    method = RoundSettings.from_selector('dpp', **ROUND)
    assert DPPSelector().round_settings(**ROUND) == method


def test_built_from_the_registry():
    selector = TASK_UTILS.build(dict(type='DPPSelector', gamma=0.25))
    assert type(selector) is DPPSelector
    assert selector.fields['gamma'] == 0.25
    selector = TASK_UTILS.build(dict(type='TopKSelector', criterion='band'))
    assert type(selector) is TopKSelector
    assert selector.fields == dict(criterion='band', diversity='none')
    assert type(TASK_UTILS.build(dict(type='RandomSelector'))) is \
        RandomSelector


@pytest.mark.parametrize('build, error, message', [
    (lambda: DPPSelector(gamma=1.5), ValueError, r'gamma must be in \[0, 1\]'),
    (lambda: DPPSelector(sigma=0), ValueError, 'sigma must be > 0'),
    (lambda: DPPSelector(partition='kmeans'), ValueError,
     "partition must be 'class' or 'random'"),
    (lambda: DPPSelector(block_size=0), ValueError,
     'block_size must be an integer >= 1'),
    (lambda: DPPSelector(criterion='hardest'), ValueError,
     'criterion must be one of'),
    (lambda: TopKSelector(criterion='hardest'), ValueError,
     'criterion must be one of'),
    (lambda: TopKSelector(gamma=0.5), TypeError, 'gamma'),
    (lambda: RandomSelector(criterion='easiness'), TypeError, 'criterion'),
])
def test_bad_arguments_name_the_key(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_round_fields_are_checked():
    with pytest.raises(ValueError, match='norm must be'):
        DPPSelector().round_settings(norm='mean')
    with pytest.raises(ValueError, match=r'ratio must be in \(0, 1\]'):
        RandomSelector().round_settings(ratio=0)
