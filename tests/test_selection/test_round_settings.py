"""``RoundSettings`` and ``subset_size``: checks that name the field and
its range, and the selector names."""
import pytest

from mmsakd.selection import RoundSettings, subset_size


def test_subset_size_checks():
    assert [subset_size(0.1, n) for n in (0, 1, 10, 11, 24)] == [0, 1, 1, 2, 3]
    with pytest.raises(ValueError, match=r'ratio must be in \(0, 1\]'):
        subset_size(0, 10)
    with pytest.raises(ValueError, match='num_samples must be an integer'):
        subset_size(0.5, -1)


# ceil(r * N) by hand; in floating point 0.07 * 100 is 7.000000000000001,
# 0.14 * 50 is 7.000000000000001 and 0.55 * 100 is 55.00000000000001.
@pytest.mark.parametrize('ratio, num, expected',
                         [(0.07, 100, 7), (0.14, 50, 7), (0.55, 100, 55),
                          (0.3, 10, 3), (0.07, 101, 8)])
def test_subset_size_is_exact_for_typed_ratios(ratio, num, expected):
    assert subset_size(ratio, num) == expected


def test_bad_selector():
    with pytest.raises(
            ValueError,
            match="selector must be 'dpp' or "
            "'random', got 'greedy'"):
        RoundSettings.from_selector('greedy')


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
