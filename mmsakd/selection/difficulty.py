"""Per-sample difficulty and distillation strength of SAKD (Eq. 3, 5, 6;
docs/method.md#difficulty, docs/method.md#distillation-strength).

All functions are vectorized over the ``N`` samples and keep the device of
their inputs.
"""
from typing import Union

import torch
from torch import Tensor

NORMS = ('max', 'rank')
#: At most this many offending indices are listed in error messages.
MAX_LISTED = 10


def check_finite(values: Tensor, name: str = 'values') -> None:
    """Raise a ValueError naming the indices of NaN or infinite entries.

    Args:
        values (Tensor): A 1-D tensor, one value per sample.
        name (str): The name used in the message. Defaults to ``'values'``.
    """
    bad = ~torch.isfinite(values)
    if bool(bad.any()):
        where = torch.nonzero(bad).flatten()
        total = where.numel()
        listed = where[:MAX_LISTED].tolist()
        more = f' and {total - MAX_LISTED} more' if total > MAX_LISTED else ''
        raise ValueError(
            f'{name} has {total} non-finite (NaN or inf) value(s), at sample '
            f'indices {listed}{more}')


def selection_probability(omega: Tensor,
                          rounds: int,
                          eps: float = 1.0) -> Tensor:
    """Selection probability ``p_i = 1 / (omega_i / max(1, rounds) + eps)``.

    Eq. 5 with the selection counts normalized by the number of selection
    rounds done, so that ``p`` stays in ``[1 / (1 + eps), 1 / eps]`` however
    long the training is.

    Args:
        omega (Tensor): Times each sample was selected, ``(N,)``, >= 0.
        rounds (int): Selection rounds done so far, >= 0.
        eps (float): The smoothing constant, > 0. Defaults to 1.

    Returns:
        Tensor: ``(N,)`` float32 (float64 if ``omega`` is float64).
    """
    if rounds < 0:
        raise ValueError(f'rounds must be >= 0, got {rounds}')
    if not eps > 0:
        raise ValueError(f'eps must be > 0, got {eps}')
    dtype = torch.float64 if omega.dtype == torch.float64 else torch.float32
    omega = omega.to(dtype)
    if bool((omega < 0).any()):
        raise ValueError('omega (selection counts) must be >= 0')
    return 1.0 / (omega / max(1, rounds) + eps)


def easiness(losses: Tensor, probability: Tensor) -> Tensor:
    """Easiness ``s_i = p_i * L_i``, the inverse of difficulty (Eq. 3).

    ``zeta_i = 1 / (p_i * L_i)`` is infinite for a zero loss; its inverse is
    not, so the method works with ``s_i``.

    Args:
        losses (Tensor): Per-sample distillation losses on interrupted
            inputs, ``(N,)``. Negative values, which a KL divergence computed
            in float can give at about -1e-7, are clamped to 0.
        probability (Tensor): Selection probabilities ``p``, ``(N,)``.

    Returns:
        Tensor: ``s``, ``(N,)``, >= 0.
    """
    if losses.shape != probability.shape or losses.dim() != 1:
        raise ValueError('losses and probability must both have shape (N,), '
                         f'got {tuple(losses.shape)} and '
                         f'{tuple(probability.shape)}')
    check_finite(losses, 'losses')
    losses = losses.to(probability.dtype).clamp_min(0)
    return probability * losses


def normalize_easiness(s: Tensor, norm: str = 'max') -> Tensor:
    """Normalize easiness to ``s_hat`` in ``[0, 1]``.

    - ``'max'``: ``s_hat_i = s_i / max_j s_j``; all zeros if every ``s_i``
      is 0.
    - ``'rank'``: ``s_hat_i = rank(s_i) / (N - 1)`` with 0-based ranks in
      ascending order; tied values share the mean of their ranks, so equal
      losses get equal ``s_hat`` (all equal gives 0.5, as does ``N == 1``).

    Args:
        s (Tensor): Easiness, ``(N,)``, finite and >= 0.
        norm (str): ``'max'`` or ``'rank'``. Defaults to ``'max'``.

    Returns:
        Tensor: ``s_hat``, ``(N,)``, the dtype of ``s`` (float32 for
        integer input).
    """
    if norm not in NORMS:
        raise ValueError(f'norm must be one of {NORMS}, got {norm!r}')
    if s.dim() != 1:
        raise ValueError(f's must have shape (N,), got {tuple(s.shape)}')
    check_finite(s, 's')
    if not s.is_floating_point():
        s = s.float()
    n = s.numel()
    if n == 0:
        return s.clone()
    if norm == 'max':
        top = s.max()
        if not bool(top > 0):
            return torch.zeros_like(s)
        return s / top
    if n == 1:
        return torch.full_like(s, 0.5)
    return _average_ranks(s) / (n - 1)


def _average_ranks(s: Tensor) -> Tensor:
    """0-based ascending ranks; ties get the mean rank of their group."""
    values, order = torch.sort(s, stable=True)
    _, counts = torch.unique_consecutive(values, return_counts=True)
    ends = torch.cumsum(counts, 0)
    mean_rank = (ends - counts + ends - 1).to(s.dtype) / 2
    ranks = torch.empty_like(s)
    ranks[order] = torch.repeat_interleave(mean_rank, counts)
    return ranks


def update_strength(alpha: Tensor,
                    s_hat: Tensor,
                    rate: Union[float, Tensor],
                    lam: float = 0.5) -> Tensor:
    """Distillation strength update (Eq. 6), clipped to ``[0, 1]``.

    ``alpha_i <- lam * alpha_i + (1 - lam) * beta(n) * s_hat_i``, where
    ``s_hat`` replaces the paper's ``1 / zeta`` (see
    :func:`normalize_easiness`).

    Args:
        alpha (Tensor): Current strengths, ``(N,)``.
        s_hat (Tensor): Normalized easiness, ``(N,)``.
        rate (float | Tensor): The interruption rate ``beta(n)``.
        lam (float): The weight of the previous strength, in ``[0, 1]``.
            Defaults to 0.5.

    Returns:
        Tensor: New strengths, ``(N,)``, the dtype of ``alpha``.
    """
    if not 0 <= lam <= 1:
        raise ValueError(f'lam must be in [0, 1], got {lam}')
    if not isinstance(rate, Tensor) and not 0 <= rate <= 1:
        raise ValueError(f'rate must be in [0, 1], got {rate}')
    if alpha.shape != s_hat.shape:
        raise ValueError('alpha and s_hat must have the same shape, got '
                         f'{tuple(alpha.shape)} and {tuple(s_hat.shape)}')
    check_finite(s_hat, 's_hat')
    if not alpha.is_floating_point():
        alpha = alpha.float()
    new = lam * alpha + (1 - lam) * rate * s_hat.to(alpha.dtype)
    return new.clamp(0, 1)
