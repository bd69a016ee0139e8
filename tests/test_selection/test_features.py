import subprocess
import sys

import pytest
import torch

from mmsakd.selection import (fuse_features, gaussian_projection,
                              pool_features, project_features)


def test_pool_averages_all_non_channel_axes():
    feat = torch.randn(2, 4, 3, 5, 5)
    pooled = pool_features(feat)
    assert pooled.shape == (2, 4)
    assert torch.allclose(pooled[1, 2], feat[1, 2].sum() / 75, atol=1e-6)
    assert torch.equal(pool_features(torch.ones(3, 6)), torch.ones(3, 6))


def test_pool_concatenates_slowfast_pathways():
    slow = torch.full((2, 8, 4, 2, 2), 1.0)
    fast = torch.arange(
        2 * 3 * 16 * 2 * 2, dtype=torch.float32).view(2, 3, 16, 2, 2)
    pooled = pool_features((slow, fast))
    assert pooled.shape == (2, 11)
    assert torch.equal(pooled[:, :8], torch.ones(2, 8))
    assert torch.allclose(pooled[:, 8:], fast.flatten(2).mean(dim=2))


def test_pool_averages_views_sample_major():
    feat = torch.arange(6.).view(6, 1, 1)  # rows: s0v0 s0v1 s0v2 s1v0 ...
    pooled = pool_features(feat, num_views=3)
    assert torch.equal(pooled, torch.tensor([[1.], [4.]]))
    with pytest.raises(ValueError, match='num_views'):
        pool_features(feat, num_views=4)


def test_projection_is_seeded_and_applied_only_above_d_max():
    a = gaussian_projection(64, 16, seed=3)
    assert torch.equal(a, gaussian_projection(64, 16, seed=3))
    assert not torch.equal(a, gaussian_projection(64, 16, seed=4))
    a.zero_()  # callers get a copy, never the cached matrix
    assert gaussian_projection(64, 16, seed=3).abs().sum() > 0

    small = torch.randn(5, 16)
    assert project_features(small, d_max=16) is small
    big = torch.randn(5, 64)
    projected = project_features(big, d_max=16, seed=3)
    assert projected.shape == (5, 16)
    assert torch.allclose(projected, big @ gaussian_projection(64, 16, 3))


def test_projection_roughly_preserves_norms():
    feats = torch.randn(20, 2304, generator=torch.Generator().manual_seed(0))
    ratio = project_features(feats, 512).norm(dim=1) / feats.norm(dim=1)
    assert torch.all((ratio > 0.85) & (ratio < 1.15))


def test_projection_is_identical_in_another_process():
    code = ('import torch;'
            'from mmsakd.selection.features import gaussian_projection;'
            'm = gaussian_projection(300, 7, seed=11);'
            'print(repr(m.double().sum().item()), repr(m[3, 4].item()))')
    out = subprocess.run([sys.executable, '-c', code],
                         capture_output=True,
                         text=True,
                         check=True)
    m = gaussian_projection(300, 7, seed=11)
    assert out.stdout.split() == [
        repr(m.double().sum().item()),
        repr(m[3, 4].item())
    ]


def test_fuse_eq7_and_first_round():
    prev = torch.tensor([[1.0, 2.0], [0.0, 4.0]])
    cur = torch.tensor([[3.0, 0.0], [2.0, 2.0]])
    assert torch.allclose(
        fuse_features(prev, cur, lam=0.5),
        torch.tensor([[2.0, 1.0], [1.0, 3.0]]))
    assert torch.allclose(
        fuse_features(prev, cur, lam=0.25),
        torch.tensor([[2.5, 0.5], [1.5, 2.5]]))
    first = fuse_features(None, cur)
    assert torch.equal(first, cur) and first is not cur
    assert torch.equal(fuse_features(prev, cur, first_round=True), cur)
    with pytest.raises(ValueError, match='shape'):
        fuse_features(prev, torch.zeros(3, 2))
