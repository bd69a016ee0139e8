"""The selection criteria (docs/method.md#criteria-and-diversity): scores
in ``[0, 1]``, higher preferred."""
import torch

from mmsakd.selection import CRITERIA, make_generator, random_criterion, top_k


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
