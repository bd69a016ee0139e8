"""Sample selection of SAKD (Eq. 8, docs/method.md#selection): blocked
greedy DPP MAP."""
import math
from typing import Optional, Sequence, Union

import torch
from torch import Tensor

from .dpp import (COMPUTE_DTYPE, _check_items, _check_sigma, cpu_threads,
                  greedy_log_quality)
from .partition import PARTITIONS, allocate_counts, partition_blocks


def quality_temperature(gamma: float) -> float:
    """``theta_q = gamma / (2 * (1 - gamma))``, infinite at ``gamma = 1``.

    With ``q_i = exp(theta_q * s_hat_i)``, ``log det L_A`` is
    ``2 * theta_q * sum(s_hat_A) + log det(S_A + sigma I)``, which is Eq. 8's
    ``gamma * sum(s_hat_A) + (1 - gamma) * log det(S_A + sigma I)`` divided
    by ``1 - gamma``: both have the same maximizers.

    Args:
        gamma (float): The trade-off, in ``[0, 1]``.

    Returns:
        float: ``theta_q``.
    """
    if not 0 <= gamma <= 1:
        raise ValueError(f'gamma must be in [0, 1], got {gamma}')
    if gamma == 1:
        return math.inf
    return gamma / (2 * (1 - gamma))


def selection_objective(features: Tensor,
                        easiness: Tensor,
                        indices: Tensor,
                        gamma: float = 0.5,
                        sigma: float = 1e-3) -> float:
    """Eq. 8 of a selected set, in its ridge form.

    ``gamma * sum(s_hat_A) + (1 - gamma) * log det(S_A + sigma I)`` with
    ``S = Fn Fn^T`` on L2-normalized rows. Forms the ``k x k`` kernel; meant
    for evaluation, not for large ``k``.

    Args:
        features (Tensor): ``(N, d)`` features (normalized here).
        easiness (Tensor): ``(N,)`` ``s_hat``.
        indices (Tensor): The selected set ``A``.
        gamma (float): The trade-off, in ``[0, 1]``. Defaults to 0.5.
        sigma (float): The ridge, > 0. Defaults to 1e-3.

    Returns:
        float: The objective.
    """
    sigma = _check_sigma(sigma)
    idx = torch.as_tensor(indices, device=features.device).long()
    feats = _l2_normalize(features.index_select(0, idx).to(COMPUTE_DTYPE))
    kernel = feats @ feats.T + sigma * torch.eye(
        idx.numel(), dtype=COMPUTE_DTYPE, device=features.device)
    logdet = torch.linalg.slogdet(kernel)[1]
    quality = easiness.to(COMPUTE_DTYPE).index_select(0, idx).sum()
    return float(gamma * quality + (1 - gamma) * logdet)


def _l2_normalize(feats: Tensor) -> Tensor:
    """Rows scaled to unit norm; all-zero rows stay zero."""
    norms = feats.norm(dim=1, keepdim=True)
    return feats / norms.clamp_min(torch.finfo(feats.dtype).tiny)


def top_k(scores: Tensor, k: int) -> Tensor:
    """The indices of the ``k`` largest scores, lower index first among
    equal scores.

    Args:
        scores (Tensor): ``(N,)`` scores.
        k (int): Number of indices, in ``[0, N]``.

    Returns:
        Tensor: ``(k,)`` int64 indices on the device of ``scores``, in
        descending score.
    """
    order = torch.sort(scores, descending=True, stable=True).indices
    return order[:k]


def select_samples(features: Tensor,
                   easiness: Tensor,
                   k: int,
                   gamma: float = 0.5,
                   labels: Optional[Union[Tensor, Sequence[int]]] = None,
                   partition: str = 'class',
                   block_size: int = 4096,
                   sigma: float = 1e-3,
                   seed: int = 0) -> Tensor:
    """Select ``k`` easy and diverse samples (Eq. 8) by blocked greedy DPP MAP.

    Maximizes ``gamma * sum(s_hat_A) + (1 - gamma) * log det(S_A + sigma I)``
    greedily as the MAP of the DPP ``L = diag(q) (S + sigma I) diag(q)`` with
    ``q_i = exp(theta_q * s_hat_i)``, ``theta_q = gamma / (2 * (1 - gamma))``
    and ``S = Fn Fn^T`` on the L2-normalized rows of ``features`` (all-zero
    rows stay zero). ``gamma = 1`` is exactly top-``k`` by easiness over all
    samples (lower index first among equal values); ``gamma = 0`` is
    diversity only.

    The candidates are partitioned into blocks (:func:`partition_blocks`),
    the blocks get ``k`` picks in proportion to their sizes
    (:func:`allocate_counts`, summing to exactly ``k``), and each block runs
    :func:`greedy_dpp_map` independently, with the Cholesky state in float64
    (single-threaded on the CPU, see :mod:`mmsakd.selection.dpp`).
    Deterministic: the same inputs and seed give the same output, and ties go
    to the lowest index.

    Args:
        features (Tensor): ``(N, d)`` fused teacher features.
        easiness (Tensor): ``(N,)`` normalized easiness ``s_hat`` in
            ``[0, 1]``.
        k (int): Number of samples, in ``[0, N]``.
        gamma (float): Easiness/diversity trade-off, in ``[0, 1]``.
            Defaults to 0.5.
        labels (Tensor | Sequence[int], optional): ``(N,)`` integer class
            labels, needed by ``partition='class'``. Defaults to None.
        partition (str): ``'class'`` (one block per class, split above
            ``block_size``) or ``'random'`` (random blocks of at most
            ``block_size``). Defaults to ``'class'``.
        block_size (int): The largest block, >= 1. Defaults to 4096.
        sigma (float): Ridge of the kernel, > 0. Defaults to 1e-3.
        seed (int): Seed of the random splits, >= 0. Defaults to 0.

    Returns:
        Tensor: ``(k,)`` distinct int64 indices on the device of
        ``features``: block by block (in the order of
        :func:`partition_blocks`), each block in the order picked; for
        ``gamma = 1``, in descending easiness.
    """
    k = _check_items(features, easiness, 'easiness', k)
    n = features.shape[0]
    theta = quality_temperature(gamma)
    sigma = _check_sigma(sigma)
    if partition not in PARTITIONS:
        raise ValueError(
            f'partition must be one of {PARTITIONS}, got {partition!r}')
    if type(block_size) is not int or block_size < 1:  # bool is not int here
        raise ValueError(f'block_size must be an int >= 1, got {block_size}')
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f'seed must be an int >= 0, got {seed}')
    if partition == 'class' and labels is None:
        raise ValueError("partition='class' needs labels; pass labels or use "
                         "partition='random'")
    device = features.device
    easiness = easiness.to(device)
    in_range = torch.isfinite(easiness) & (easiness >= 0) & (easiness <= 1)
    if not bool(in_range.all()):
        raise ValueError('easiness (s_hat) must be finite and in [0, 1]')
    if not bool(torch.isfinite(features).all()):
        raise ValueError('features must be finite')

    if k == 0:
        return torch.empty(0, dtype=torch.long, device=device)
    if math.isinf(theta):
        return top_k(easiness, k)

    blocks = partition_blocks(n, labels, partition, block_size, seed, device)
    counts = allocate_counts([b.numel() for b in blocks], k)
    log_quality = theta * easiness.to(COMPUTE_DTYPE)
    picked = []
    with cpu_threads(device):
        for block, count in zip(blocks, counts):
            if count == 0:
                continue
            feats = features.index_select(0, block).to(COMPUTE_DTYPE)
            feats = _l2_normalize(feats)
            order = greedy_log_quality(feats,
                                       log_quality.index_select(0, block),
                                       count, sigma)
            picked.append(block.index_select(0, order))
    return torch.cat(picked)
