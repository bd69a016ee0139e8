import pytest
import torch

from mmsakd.selection import (easiness, normalize_easiness,
                              selection_probability, update_strength)


def test_selection_probability_normalizes_counts_by_rounds():
    omega = torch.tensor([0, 1, 2, 4])
    p = selection_probability(omega, rounds=4)
    # omega_hat = [0, .25, .5, 1] -> 1 / (omega_hat + 1)
    assert torch.allclose(p, torch.tensor([1., 0.8, 2 / 3, 0.5]))
    # rounds = 0 divides by max(1, rounds) = 1.
    assert torch.allclose(
        selection_probability(torch.tensor([0, 1]), rounds=0),
        torch.tensor([1., 0.5]))
    assert torch.allclose(
        selection_probability(torch.tensor([2.]), rounds=2, eps=0.5),
        torch.tensor([1 / 1.5]))
    with pytest.raises(ValueError, match='rounds'):
        selection_probability(omega, rounds=-1)
    with pytest.raises(ValueError, match='eps'):
        selection_probability(omega, rounds=1, eps=0)


def test_easiness_is_probability_times_loss():
    losses = torch.tensor([2.0, 0.0, 3.0, -1e-8])
    p = torch.tensor([1.0, 0.8, 0.5, 1.0])
    s = easiness(losses, p)
    assert torch.allclose(s, torch.tensor([2.0, 0.0, 1.5, 0.0]))
    assert s[3] == 0  # float noise below 0 is clamped


def test_nan_and_inf_losses_name_the_indices():
    losses = torch.ones(20)
    losses[[3, 17]] = torch.tensor([float('nan'), float('inf')])
    with pytest.raises(ValueError) as err:
        easiness(losses, torch.ones(20))
    message = str(err.value)
    assert 'losses' in message and '[3, 17]' in message
    assert '2 non-finite' in message

    many = torch.full((30, ), float('nan'))
    with pytest.raises(ValueError) as err:
        easiness(many, torch.ones(30))
    message = str(err.value)
    assert '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]' in message
    assert '30 non-finite' in message and 'and 20 more' in message


def test_normalize_max():
    s = torch.tensor([0., 1., 2., 4.])
    assert torch.allclose(
        normalize_easiness(s, 'max'), torch.tensor([0., .25, .5, 1.]))
    zeros = normalize_easiness(torch.zeros(5), 'max')
    assert torch.equal(zeros, torch.zeros(5))


def test_normalize_rank_with_ties_by_hand():
    s = torch.tensor([3.0, 1.0, 2.0, 2.0, 5.0])
    # ascending ranks: 1 -> 0, 2 and 2 -> 1.5, 3 -> 3, 5 -> 4; / (N - 1)
    expected = torch.tensor([0.75, 0.0, 0.375, 0.375, 1.0])
    assert torch.allclose(normalize_easiness(s, 'rank'), expected)
    assert torch.allclose(
        normalize_easiness(torch.ones(4), 'rank'), torch.full((4, ), 0.5))
    assert torch.allclose(
        normalize_easiness(torch.tensor([7.]), 'rank'), torch.tensor([0.5]))


def test_normalize_rank_matches_sorting_without_ties():
    s = torch.rand(50, generator=torch.Generator().manual_seed(0))
    ranks = torch.empty(50)
    ranks[torch.argsort(s)] = torch.arange(50.)
    assert torch.allclose(normalize_easiness(s, 'rank'), ranks / 49)


def test_normalize_rejects_bad_input():
    with pytest.raises(ValueError, match='norm'):
        normalize_easiness(torch.ones(3), 'mean')
    with pytest.raises(ValueError, match=r'\[1\]'):
        normalize_easiness(torch.tensor([1., float('inf')]))


def test_update_strength_eq6_by_hand():
    alpha = torch.tensor([0.0, 0.5, 1.0, 0.9])
    s_hat = torch.tensor([1.0, 0.5, 1.0, 1.0])
    new = update_strength(alpha, s_hat, rate=0.8, lam=0.5)
    assert torch.allclose(new, torch.tensor([0.4, 0.45, 0.9, 0.85]))
    new = update_strength(alpha, s_hat, rate=0.8, lam=0.1)
    assert torch.allclose(new, torch.tensor([0.72, 0.41, 0.82, 0.81]))


def test_update_strength_clips_to_unit_interval():
    alpha = torch.tensor([3.0, -2.0, 0.2])
    new = update_strength(alpha, torch.tensor([1.0, 0.0, 0.5]), rate=1.0)
    assert torch.allclose(new, torch.tensor([1.0, 0.0, 0.35]))
    with pytest.raises(ValueError, match='lam'):
        update_strength(alpha, alpha, 0.5, lam=1.5)
