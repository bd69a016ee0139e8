import pytest
import torch

from mmsakd.selection import greedy_dpp_map


def brute_force_greedy(features, quality, k, sigma):
    """Greedy MAP evaluating log det of the explicit kernel per candidate."""
    n = features.shape[0]
    kernel = quality[:, None] * (
        features @ features.T +
        sigma * torch.eye(n, dtype=features.dtype)) * quality[None, :]
    picked = []
    for _ in range(k):
        best, best_value = None, float('-inf')
        for i in range(n):
            if i in picked:
                continue
            subset = picked + [i]
            value = torch.linalg.slogdet(kernel[subset][:, subset])[1].item()
            if value > best_value:
                best, best_value = i, value
        picked.append(best)
    return picked


def random_case(seed, n, d):
    g = torch.Generator().manual_seed(seed)
    feats = torch.randn(n, d, generator=g, dtype=torch.float64)
    feats = feats / feats.norm(dim=1, keepdim=True)
    quality = torch.exp(2 * torch.rand(n, generator=g, dtype=torch.float64))
    return feats, quality


@pytest.mark.parametrize(
    'seed, n, d, k',
    [
        (0, 12, 5, 4),
        (1, 25, 8, 8),
        (2, 30, 3, 12),  # k > d
        (3, 40, 6, 40),  # k == N > d
        (4, 17, 17, 17),
        (5, 9, 2, 9),
        (6, 36, 10, 20),
    ])
def test_matches_brute_force_greedy(seed, n, d, k):
    feats, quality = random_case(seed, n, d)
    for sigma in (1e-3, 0.5):
        got = greedy_dpp_map(feats, quality, k, sigma=sigma)
        assert got.dtype == torch.long
        assert got.tolist() == brute_force_greedy(feats, quality, k, sigma)


def test_float32_input_gives_the_same_picks():
    feats, quality = random_case(7, 30, 6)
    ref = greedy_dpp_map(feats, quality, 20)
    assert torch.equal(greedy_dpp_map(feats.float(), quality.float(), 20), ref)


def test_ties_go_to_the_lowest_index():
    feats = torch.ones(10, 4) / 2  # identical unit rows
    assert greedy_dpp_map(feats, torch.ones(10), 6).tolist() == list(range(6))
    # Two identical groups: one of each first, lowest index in each.
    feats = torch.zeros(6, 2)
    feats[[1, 3, 5], 0] = 1
    feats[[0, 2, 4], 1] = 1
    assert greedy_dpp_map(feats, torch.ones(6), 6).tolist()[:2] == [0, 1]


def test_diversity_exhausted_falls_back_to_quality():
    # One direction only: after the first pick every residual is sigma-level,
    # so the rest come in quality order.
    feats = torch.ones(6, 1)
    quality = torch.tensor([1.0, 5.0, 2.0, 4.0, 3.0, 6.0])
    assert greedy_dpp_map(feats, quality, 6).tolist() == [5, 1, 3, 4, 2, 0]


def test_duplicate_rows_with_tiny_sigma_stay_distinct():
    # The residual of a duplicate is sigma-level; rounding can take it to
    # zero or below, which the sigma floor must absorb.
    feats = torch.ones(8, 3) / 3**0.5
    for sigma in (1e-12, 1e-30):
        picked = greedy_dpp_map(feats, torch.ones(8), 8, sigma=sigma)
        assert sorted(picked.tolist()) == list(range(8))


def test_k_zero_and_k_equals_n():
    feats, quality = random_case(8, 15, 4)
    assert greedy_dpp_map(feats, quality, 0).numel() == 0
    full = greedy_dpp_map(feats, quality, 15)
    assert sorted(full.tolist()) == list(range(15))


def test_never_forms_the_n_by_n_kernel():
    # 60k x 60k float64 would be 29 GB.
    g = torch.Generator().manual_seed(0)
    feats = torch.randn(60000, 8, generator=g)
    feats = feats / feats.norm(dim=1, keepdim=True)
    picked = greedy_dpp_map(feats, torch.ones(60000), 5)
    assert picked.unique().numel() == 5


def test_argument_errors():
    feats, quality = random_case(9, 5, 3)
    with pytest.raises(ValueError, match=r'k must be in \[0, N=5\]'):
        greedy_dpp_map(feats, quality, 6)
    with pytest.raises(ValueError, match='k must be'):
        greedy_dpp_map(feats, quality, -1)
    with pytest.raises(ValueError, match='sigma'):
        greedy_dpp_map(feats, quality, 2, sigma=0)
    with pytest.raises(ValueError, match='quality'):
        greedy_dpp_map(feats, -quality, 2)
    with pytest.raises(ValueError, match='quality'):
        greedy_dpp_map(feats, quality[:4], 2)
    with pytest.raises(ValueError, match='features'):
        greedy_dpp_map(feats[0], quality, 2)


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_matches_cpu():
    feats, quality = random_case(10, 40, 6)
    cpu = greedy_dpp_map(feats, quality, 30)
    gpu = greedy_dpp_map(feats.cuda(), quality.cuda(), 30)
    assert gpu.device.type == 'cuda'
    assert torch.equal(gpu.cpu(), cpu)
