"""Teacher features for the diversity term of SAKD (Eq. 7,
docs/method.md#fused-teacher-features).

The paper flattens the ``c x h x w`` feature map; here it is globally
average-pooled to ``c`` channels and, above ``d_max`` channels, projected by a
fixed seeded Gaussian matrix, so that the per-sample state is ``N x d``
floats (a documented deviation, docs/method.md#fused-teacher-features).
"""
import functools
import math
from typing import Optional, Sequence, Union

import torch
from torch import Tensor

Features = Union[Tensor, Sequence[Tensor]]


def _pool_one(feat: Tensor) -> Tensor:
    """``(N, C, *rest)`` -> ``(N, C)`` float32 by the mean over ``rest``."""
    if feat.dim() < 2:
        raise ValueError('each feature must have shape (N, C, ...), got '
                         f'{tuple(feat.shape)}')
    # float32 because half-precision means over T*H*W lose digits.
    feat = feat.float()
    if feat.dim() == 2:
        return feat
    return feat.flatten(2).mean(dim=2)


def pool_features(feats: Features, num_views: int = 1) -> Tensor:
    """Global average pooling of backbone features to one vector per sample.

    Args:
        feats (Tensor | Sequence[Tensor]): ``(N * V, C, ...)`` features, or a
            tuple of them (SlowFast's slow and fast pathways), which are
            pooled separately and concatenated along channels.
        num_views (int): Views per sample ``V``. MMAction2 recognizers fold
            the ``num_clips * num_crops`` views into the batch, sample-major;
            the pooled vectors of a sample's views are averaged.
            Defaults to 1.

    Returns:
        Tensor: ``(N, sum C)`` float32, on the device of the features.
    """
    if isinstance(feats, Tensor):
        feats = [feats]
    feats = list(feats)
    if not feats:
        raise ValueError('feats must not be empty')
    if num_views < 1:
        raise ValueError(f'num_views must be >= 1, got {num_views}')
    pooled = torch.cat([_pool_one(f) for f in feats], dim=1)
    rows = pooled.shape[0]
    if rows % num_views:
        raise ValueError(f'the feature batch ({rows}) is not a multiple of '
                         f'num_views ({num_views})')
    if num_views > 1:
        pooled = pooled.view(rows // num_views, num_views, -1).mean(dim=1)
    return pooled


@functools.lru_cache(maxsize=8)
def _projection_cpu(in_dim: int, out_dim: int, seed: int) -> Tensor:
    """The projection matrix, made once per (in_dim, out_dim, seed)."""
    generator = torch.Generator().manual_seed(seed)
    matrix = torch.randn(
        in_dim, out_dim, generator=generator, dtype=torch.float64)
    # Entries of variance 1/out_dim preserve squared norms in expectation.
    return (matrix / math.sqrt(out_dim)).float()


def gaussian_projection(in_dim: int,
                        out_dim: int,
                        seed: int = 0,
                        device: Optional[Union[str, torch.device]] = None,
                        dtype: torch.dtype = torch.float32) -> Tensor:
    """A fixed random Gaussian projection ``(in_dim, out_dim)``.

    Entries are ``N(0, 1 / out_dim)``, drawn on the CPU from a generator
    seeded with ``seed``, so every rank and process gets the same matrix.

    Args:
        in_dim (int): Input channels ``c``, >= 1.
        out_dim (int): Output channels ``d``, >= 1.
        seed (int): The seed, >= 0. Defaults to 0.
        device (str | torch.device, optional): Where to put the matrix.
            Defaults to None (CPU).
        dtype (torch.dtype): Its dtype. Defaults to ``torch.float32``.

    Returns:
        Tensor: A new ``(in_dim, out_dim)`` tensor.
    """
    if in_dim < 1 or out_dim < 1:
        raise ValueError('in_dim and out_dim must be >= 1, got '
                         f'{in_dim} and {out_dim}')
    if seed < 0:
        raise ValueError(f'seed must be >= 0, got {seed}')
    matrix = _projection_cpu(int(in_dim), int(out_dim), int(seed))
    return matrix.to(device=device, dtype=dtype, copy=True)


def project_features(feats: Tensor, d_max: int = 512, seed: int = 0) -> Tensor:
    """Project ``(N, c)`` features to ``d_max`` channels when ``c > d_max``.

    Args:
        feats (Tensor): Pooled features ``(N, c)``.
        d_max (int): The largest kept dimension, >= 1. Defaults to 512.
        seed (int): Seed of the projection matrix. Defaults to 0.

    Returns:
        Tensor: ``(N, min(c, d_max))``; the input itself if ``c <= d_max``.
    """
    if feats.dim() != 2:
        raise ValueError(
            f'feats must have shape (N, c), got {tuple(feats.shape)}')
    if d_max < 1:
        raise ValueError(f'd_max must be >= 1, got {d_max}')
    channels = feats.shape[1]
    if channels <= d_max:
        return feats
    matrix = _projection_cpu(channels, int(d_max), int(seed)).to(
        device=feats.device, dtype=feats.dtype)
    return feats @ matrix


def fuse_features(prev: Optional[Tensor],
                  current: Tensor,
                  lam: float = 0.5,
                  first_round: bool = False) -> Tensor:
    """Feature fusion across selection rounds (Eq. 7).

    ``feat <- lam * feat + (1 - lam) * F``; in the first round (``prev`` is
    None or ``first_round``) ``feat = F``.

    Args:
        prev (Tensor, optional): The fused features so far, ``(N, d)``.
        current (Tensor): This round's features ``F``, ``(N, d)``.
        lam (float): Weight of the previous features, in ``[0, 1]``.
            Defaults to 0.5.
        first_round (bool): Ignore ``prev``. Defaults to False.

    Returns:
        Tensor: A new ``(N, d)`` tensor.
    """
    if not 0 <= lam <= 1:
        raise ValueError(f'lam must be in [0, 1], got {lam}')
    if prev is None or first_round:
        return current.clone()
    if prev.shape != current.shape:
        raise ValueError('prev and current must have the same shape, got '
                         f'{tuple(prev.shape)} and {tuple(current.shape)}')
    return lam * prev + (1 - lam) * current.to(prev.dtype)
