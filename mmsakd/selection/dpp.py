"""Greedy MAP inference of a quality-diversity DPP (Chen et al., 2018).

"Fast Greedy MAP Inference for Determinantal Point Process to Improve
Recommendation Diversity" (NeurIPS 2018), Algorithm 1: the greedy keeps an
incremental Cholesky factor of the kernel restricted to the picked set, so
each step costs one kernel row and one update of the ``N`` residual
variances, ``O(N k (d + k))`` for ``k`` picks.

Kernel: ``L = diag(q) (F F^T + sigma I) diag(q)``. Since
``chol(diag(q) K diag(q)) = diag(q) chol(K)``, the residual variance of item
``i`` under ``L`` is ``q_i^2 r_i`` with ``r_i`` its residual under
``K = F F^T + sigma I``. The greedy therefore runs the Cholesky update on
``K`` alone, whose entries are bounded, and scores items by
``2 log q_i + log r_i``: a quality ``exp(theta * s_hat)`` with large
``theta`` cannot overflow.

On the CPU the greedy runs with :data:`CPU_THREADS` intra-op threads: its
per-step operations are small, and on a busy CPU (e.g. next to dataloader
workers) every multi-threaded operation can wait milliseconds for a
descheduled thread, which made selection 4 to 30 times slower on a 2-core
machine.
"""
import contextlib
import operator
from typing import Iterator, Union

import torch
from torch import Tensor

#: Dtype of the Cholesky state (kernel rows, factor rows and residuals).
COMPUTE_DTYPE = torch.float64
#: Intra-op threads of the greedy on the CPU (restored afterwards).
CPU_THREADS = 1


@contextlib.contextmanager
def cpu_threads(device: Union[str, torch.device]) -> Iterator[None]:
    """Run the enclosed block with :data:`CPU_THREADS` threads on the CPU.

    Args:
        device (str | torch.device): The device of the work; nothing changes
            for other devices.
    """
    previous = torch.get_num_threads()
    if torch.device(device).type != 'cpu' or previous == CPU_THREADS:
        yield
        return
    torch.set_num_threads(CPU_THREADS)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _check_items(features: Tensor, values: Tensor, name: str, k: int) -> int:
    """Check the inputs of a selection of ``k`` of ``N`` items.

    Args:
        features (Tensor): Must be ``(N, d)``.
        values (Tensor): One value per item, must be ``(N,)``.
        name (str): The name of ``values``, for the message.
        k (int): Number of picks, must be in ``[0, N]``; integer numpy
            scalars and 0-d tensors pass.

    Returns:
        int: ``k`` as an int.
    """
    if not isinstance(features, Tensor) or features.dim() != 2:
        raise ValueError('features must be a 2-D tensor (N, d), got '
                         f'{getattr(features, "shape", type(features))}')
    n = features.shape[0]
    if not isinstance(values, Tensor) or tuple(values.shape) != (n, ):
        raise ValueError(f'{name} must be a tensor of shape ({n},), got '
                         f'{getattr(values, "shape", type(values))}')
    try:
        k = operator.index(k)
    except TypeError:
        raise TypeError(f'k must be an int, got {type(k)}') from None
    if not 0 <= k <= n:
        raise ValueError(f'k must be in [0, N={n}], got {k}')
    return k


def _check_sigma(sigma: float) -> float:
    """``sigma`` as a float, > 0 and finite."""
    sigma = float(sigma)
    if not (sigma > 0 and sigma < float('inf')):
        raise ValueError(f'sigma must be > 0 and finite, got {sigma}')
    return sigma


def greedy_log_quality(features: Tensor, log_quality: Tensor, k: int,
                       sigma: float) -> Tensor:
    """Greedy DPP MAP with qualities given as logarithms; no argument checks.

    Args:
        features (Tensor): ``(n, d)``, in :data:`COMPUTE_DTYPE`.
        log_quality (Tensor): ``(n,)`` ``log q``, same dtype and device.
        k (int): Picks, in ``[0, n]``.
        sigma (float): Ridge, > 0.

    Returns:
        Tensor: ``(k,)`` int64 indices in the order picked.
    """
    n = features.shape[0]
    device = features.device
    picked = torch.empty(k, dtype=torch.long, device=device)
    if k == 0:
        return picked
    # r_i >= sigma holds exactly (every eigenvalue of K is >= sigma), so
    # sigma is the floor for residuals that rounding drives lower.
    residual = (features * features).sum(dim=1) + sigma
    factor = features.new_zeros(k, n)  # row t: t-th Cholesky column
    score_base = 2 * log_quality
    taken = torch.zeros(n, dtype=torch.bool, device=device)
    for t in range(k):
        score = (score_base +
                 residual.log()).masked_fill_(taken, float('-inf'))
        # argmax returns the first maximum: ties go to the lowest index.
        j = score.argmax().view(1)
        picked[t:t + 1] = j
        taken[j] = True
        if t == k - 1:
            break
        row = torch.mv(features, features.index_select(0, j).squeeze(0))
        if t > 0:
            row -= torch.mv(factor[:t].T, factor[:t].index_select(1, j)[:, 0])
        new = row / residual.index_select(0, j).sqrt()
        factor[t] = new
        residual = (residual - new * new).clamp_min_(sigma)
    return picked


def greedy_dpp_map(features: Tensor,
                   quality: Tensor,
                   k: int,
                   sigma: float = 1e-3) -> Tensor:
    """Greedy MAP of the DPP ``L = diag(q) (F F^T + sigma I) diag(q)``.

    Picks ``k`` items one at a time, each maximizing the gain in
    ``log det L_A``, with Chen et al.'s incremental Cholesky update and kernel
    rows computed from ``features`` on demand (the ``N x N`` kernel is never
    formed). The Cholesky state is kept in float64 (:data:`COMPUTE_DTYPE`);
    residual variances are floored at ``sigma``, their exact lower bound.
    ``sigma`` keeps ``L`` full rank, so ``k`` may exceed ``d`` (up to
    ``k == N``); once the features are exhausted, residuals are sigma-level
    and quality dominates the picks.
    Ties, including all-equal inputs, go to the lowest index.

    Args:
        features (Tensor): ``(N, d)`` item features, rows L2-normalized by
            the caller (not re-normalized here).
        quality (Tensor): ``(N,)`` positive, finite qualities ``q``.
        k (int): Number of items, in ``[0, N]``.
        sigma (float): Ridge added to ``F F^T``, > 0. Defaults to 1e-3.

    Returns:
        Tensor: ``(k,)`` int64 indices in the order picked, on the device of
        ``features``.
    """
    k = _check_items(features, quality, 'quality', k)
    sigma = _check_sigma(sigma)
    feats = features.to(COMPUTE_DTYPE)
    quality = quality.to(device=features.device, dtype=COMPUTE_DTYPE)
    if not bool(torch.isfinite(feats).all()):
        raise ValueError('features must be finite')
    if not bool((torch.isfinite(quality) & (quality > 0)).all()):
        raise ValueError('quality must be positive and finite')
    with cpu_threads(features.device):
        return greedy_log_quality(feats, quality.log(), k, sigma)
