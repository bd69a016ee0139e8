import math

import pytest
import torch

from mmsakd.selection import (allocate_counts, greedy_dpp_map,
                              partition_blocks, quality_temperature,
                              select_samples, selection_objective)


def clustered(n_clusters, per_cluster, d=16, noise=0.01, seed=0):
    g = torch.Generator().manual_seed(seed)
    centers = torch.eye(d)[:n_clusters] * 3
    labels = torch.arange(n_clusters).repeat_interleave(per_cluster)
    feats = centers[labels] + noise * torch.randn(
        labels.numel(), d, generator=g)
    return feats, labels


def test_allocate_counts_largest_remainder_by_hand():
    # quotas 2.5, 1.5, 1.0: floors 2, 1, 1; the one left goes to the
    # lower index of the two equal remainders.
    assert allocate_counts([5, 3, 2], 5) == [3, 1, 1]
    # quotas 7 * [1, 2, 4] / 7 exactly
    assert allocate_counts([1, 2, 4], 7) == [1, 2, 4]
    # quotas 3 * [2, 3, 5] / 10 = 0.6, 0.9, 1.5: floors 0, 0, 1; two left
    # go to remainders 0.9 then 0.6.
    assert allocate_counts([2, 3, 5], 3) == [1, 1, 1]
    assert allocate_counts([0, 4], 2) == [0, 2]
    with pytest.raises(ValueError, match='k must be in'):
        allocate_counts([1, 2], 4)


@pytest.mark.parametrize('sizes', [[1, 2, 3, 5, 7, 11, 13], [1] * 17 + [97],
                                   [2, 3], [31], [1, 1, 1]])
def test_allocate_counts_sum_to_k_and_fit_blocks(sizes):
    total = sum(sizes)
    for k in range(total + 1):
        counts = allocate_counts(sizes, k)
        assert sum(counts) == k
        assert all(0 <= c <= n for c, n in zip(counts, sizes))
        # each count is its quota rounded down or up
        assert all(
            math.floor(k * n / total) <= c <= math.ceil(k * n / total)
            for c, n in zip(counts, sizes))


def test_partition_by_class_splits_large_classes():
    labels = torch.tensor([2] * 10 + [0] * 3 + [5] * 1 + [2] * 1)
    blocks = partition_blocks(15, labels, 'class', block_size=4, seed=0)
    everything = torch.cat(blocks).sort().values
    assert torch.equal(everything, torch.arange(15))
    for b in blocks:
        assert b.numel() <= 4 and labels[b].unique().numel() == 1
        assert torch.equal(b, b.sort().values)
    sizes = sorted(b.numel() for b in blocks)
    assert sizes == [1, 3, 3, 4, 4]  # class 2 (11) -> 4, 4, 3
    assert [int(labels[b[0]]) for b in blocks[:2]] == [0, 2]
    again = partition_blocks(15, labels, 'class', block_size=4, seed=0)
    assert all(torch.equal(a, b) for a, b in zip(blocks, again))


def test_partition_random_is_seeded_and_balanced():
    blocks = partition_blocks(103, None, 'random', block_size=10, seed=1)
    assert len(blocks) == 11
    assert {b.numel() for b in blocks} == {9, 10}
    assert torch.equal(torch.cat(blocks).sort().values, torch.arange(103))
    same = partition_blocks(103, None, 'random', block_size=10, seed=1)
    other = partition_blocks(103, None, 'random', block_size=10, seed=2)
    assert all(torch.equal(a, b) for a, b in zip(blocks, same))
    assert not all(torch.equal(a, b) for a, b in zip(blocks, other))


def test_gamma_one_is_top_k_with_ties_by_index():
    s = torch.tensor([0.5, 0.9, 0.5, 0.9, 0.1, 0.5])
    feats = torch.randn(6, 4)
    out = select_samples(feats, s, 4, gamma=1.0, partition='random')
    assert out.tolist() == [1, 3, 0, 2]
    g = torch.Generator().manual_seed(0)
    s = torch.rand(200, generator=g)
    out = select_samples(
        torch.randn(200, 8), s, 20, gamma=1.0, labels=torch.arange(200) % 7)
    assert out.tolist() == torch.topk(s, 20).indices.tolist()


def test_gamma_zero_picks_one_per_cluster_first():
    feats, labels = clustered(5, 6)
    s = torch.rand(30, generator=torch.Generator().manual_seed(1))
    out = select_samples(
        feats, s, 10, gamma=0.0, partition='random', block_size=64)
    assert labels[out[:5]].unique().numel() == 5
    # gamma = 0 ignores easiness
    other = select_samples(
        feats,
        torch.rand(30),
        10,
        gamma=0.0,
        partition='random',
        block_size=64)
    assert torch.equal(out, other)


def test_one_block_equals_greedy_dpp_map_on_normalized_rows():
    g = torch.Generator().manual_seed(2)
    feats, s = torch.randn(40, 6, generator=g), torch.rand(40, generator=g)
    gamma = 0.7
    theta = quality_temperature(gamma)
    assert theta == pytest.approx(0.7 / 0.6)
    ref = greedy_dpp_map(feats / feats.norm(dim=1, keepdim=True),
                         torch.exp(theta * s.double()), 15)
    out = select_samples(
        feats, s, 15, gamma=gamma, partition='random', block_size=40)
    assert torch.equal(out, ref)


def test_log_det_of_l_is_eq8_over_one_minus_gamma():
    g = torch.Generator().manual_seed(3)
    feats = torch.randn(12, 5, generator=g, dtype=torch.float64)
    s = torch.rand(12, generator=g, dtype=torch.float64)
    gamma, sigma = 0.4, 1e-3
    q = torch.exp(quality_temperature(gamma) * s)
    fn = feats / feats.norm(dim=1, keepdim=True)
    kernel = q[:, None] * (fn @ fn.T + sigma * torch.eye(12)) * q[None]
    subset = torch.tensor([0, 3, 4, 9])
    logdet = torch.linalg.slogdet(kernel[subset][:, subset])[1].item()
    objective = selection_objective(feats, s, subset, gamma, sigma)
    assert objective == pytest.approx((1 - gamma) * logdet, rel=1e-8)


@pytest.mark.parametrize('partition', ['class', 'random'])
def test_blocked_selection_returns_exactly_k_distinct(partition):
    sizes = [1, 2, 3, 5, 7, 11, 13, 1]
    labels = torch.cat([torch.full((n, ), c) for c, n in enumerate(sizes)])
    labels = labels[torch.randperm(
        labels.numel(), generator=torch.Generator().manual_seed(0))]
    n = labels.numel()
    g = torch.Generator().manual_seed(4)
    feats, s = torch.randn(n, 3, generator=g), torch.rand(n, generator=g)
    for k in [0, 1, 2, 7, 23, n - 2, n - 1, n]:
        out = select_samples(
            feats, s, k, labels=labels, partition=partition, block_size=4)
        assert out.numel() == k and out.unique().numel() == k
        assert out.min().item() >= 0 if k else True
        assert out.max().item() < n if k else True
        if partition == 'class':
            per_class = torch.bincount(labels[out], minlength=len(sizes))
            blocks = partition_blocks(n, labels, 'class', 4)
            counts = allocate_counts([b.numel() for b in blocks], k)
            expected = torch.zeros(len(sizes), dtype=torch.long)
            for b, c in zip(blocks, counts):
                expected[labels[b[0]]] += c
            assert torch.equal(per_class, expected)


def test_zero_feature_rows_are_handled():
    feats = torch.randn(20, 4)
    feats[[2, 5, 11]] = 0
    out = select_samples(feats, torch.rand(20), 18, partition='random')
    assert out.unique().numel() == 18


def test_select_is_deterministic():
    feats, labels = clustered(4, 30, noise=0.5, seed=5)
    s = torch.rand(120, generator=torch.Generator().manual_seed(6))
    for partition in ('class', 'random'):
        a = select_samples(
            feats,
            s,
            25,
            labels=labels,
            partition=partition,
            block_size=16,
            seed=3)
        b = select_samples(
            feats,
            s,
            25,
            labels=labels,
            partition=partition,
            block_size=16,
            seed=3)
        assert torch.equal(a, b)
    c = select_samples(feats, s, 25, partition='random', block_size=16, seed=4)
    assert not torch.equal(a, c)


def test_blocked_objective_is_close_to_unblocked():
    feats, labels = clustered(8, 40, d=32, noise=0.8, seed=7)
    s = torch.rand(320, generator=torch.Generator().manual_seed(8))
    k = 32
    full = select_samples(feats, s, k, partition='random', block_size=320)
    blocked = select_samples(feats, s, k, labels=labels, partition='class')
    obj_full = selection_objective(feats, s, full)
    obj_blocked = selection_objective(feats, s, blocked)
    g = torch.Generator().manual_seed(9)
    obj_random = selection_objective(feats, s,
                                     torch.randperm(320, generator=g)[:k])
    # Blocks lose the cross-block interactions, but keep most of the gain
    # of the unblocked greedy over a random subset.
    assert obj_full > obj_blocked > obj_random
    assert obj_full - obj_blocked < 0.5 * (obj_full - obj_random)


def test_cpu_thread_count_is_restored():
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        select_samples(
            torch.randn(30, 4), torch.rand(30), 5, partition='random')
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)


def test_argument_errors():
    feats, s = torch.randn(10, 3), torch.rand(10)
    with pytest.raises(TypeError, match='k must be an int'):
        select_samples(feats, s, 2.5, partition='random')
    assert select_samples(
        feats, s, torch.tensor(3), partition='random').numel() == 3
    with pytest.raises(ValueError, match=r'k must be in \[0, N=10\]'):
        select_samples(feats, s, 11, partition='random')
    with pytest.raises(ValueError, match=r'gamma must be in \[0, 1\]'):
        select_samples(feats, s, 2, gamma=1.5, partition='random')
    with pytest.raises(ValueError, match='sigma'):
        select_samples(feats, s, 2, sigma=0.0, partition='random')
    with pytest.raises(ValueError, match='labels'):
        select_samples(feats, s, 2)
    with pytest.raises(ValueError, match='partition'):
        select_samples(feats, s, 2, partition='kmeans')
    with pytest.raises(ValueError, match='block_size'):
        select_samples(feats, s, 2, partition='random', block_size=0)
    with pytest.raises(ValueError, match=r'easiness.*\[0, 1\]'):
        select_samples(feats, s * 3, 2, partition='random')
    with pytest.raises(ValueError, match='easiness'):
        select_samples(feats, s[:9], 2, partition='random')
    with pytest.raises(ValueError, match='labels'):
        select_samples(feats, s, 2, labels=torch.zeros(9, dtype=torch.long))


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_matches_cpu_and_keeps_device():
    feats, labels = clustered(6, 50, d=32, noise=0.5, seed=10)
    s = torch.rand(300, generator=torch.Generator().manual_seed(11))
    cpu = select_samples(feats, s, 40, labels=labels)
    gpu = select_samples(feats.cuda(), s.cuda(), 40, labels=labels.cuda())
    assert gpu.device.type == 'cuda'
    assert torch.equal(gpu.cpu(), cpu)
