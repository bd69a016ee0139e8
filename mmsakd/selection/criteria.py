"""Selection criteria: which samples a selection round prefers.

A criterion maps the round's per-sample distillation losses ``L~``, their
normalized easiness ``s_hat`` (Eq. 5, docs/method.md#difficulty) and a
seeded generator to selection scores in ``[0, 1]``, higher preferred. The
diversity term (greedy DPP, or none) then picks the subset from the scores
(:func:`mmsakd.selection.select_subset`), so that any criterion runs with or
without DPP.
"""
from typing import Callable, Dict

import torch
from torch import Tensor

from .difficulty import normalize_easiness

Criterion = Callable[[Tensor, Tensor, torch.Generator], Tensor]


def easiness_criterion(losses: Tensor, s_hat: Tensor,
                       generator: torch.Generator) -> Tensor:
    """SAKD's criterion: the easiness ``s_hat`` itself (Eq. 3-5).

    Args:
        losses (Tensor): Per-sample distillation losses, ``(N,)``; unused.
        s_hat (Tensor): Normalized easiness, ``(N,)``, in ``[0, 1]``.
        generator (torch.Generator): Unused.

    Returns:
        Tensor: ``s_hat``.
    """
    return s_hat


def random_criterion(losses: Tensor, s_hat: Tensor,
                     generator: torch.Generator) -> Tensor:
    """A uniformly random ranking of the samples, for random subsets.

    The sample at position ``j`` of ``torch.randperm(N, generator)`` scores
    ``(N - j) / N``: the scores are distinct, so the top ``k`` are exactly
    ``torch.randperm(N, generator)[:k]``, in that order.

    Args:
        losses (Tensor): Per-sample distillation losses, ``(N,)``; unused
            but for ``N``.
        s_hat (Tensor): Normalized easiness, ``(N,)``; unused.
        generator (torch.Generator): The CPU generator of the ranking.

    Returns:
        Tensor: ``(N,)`` float64 scores in ``(0, 1]`` on the CPU.
    """
    n = losses.numel()
    order = torch.randperm(n, generator=generator)
    scores = torch.empty(n, dtype=torch.float64)
    # float64 keeps (N - j) / N distinct for any N below 2 ** 53.
    scores[order] = torch.arange(n, 0, -1, dtype=torch.float64) / max(n, 1)
    return scores


def low_loss_criterion(losses: Tensor, s_hat: Tensor,
                       generator: torch.Generator) -> Tensor:
    """The opposite of SAKD's: the lowest ``p * L`` preferred,
    ``1 - s_hat``.

    Args:
        losses (Tensor): Per-sample distillation losses, ``(N,)``; unused.
        s_hat (Tensor): Normalized easiness, ``(N,)``, in ``[0, 1]``.
        generator (torch.Generator): Unused.

    Returns:
        Tensor: ``1 - s_hat``.
    """
    return 1 - s_hat


def band_criterion(losses: Tensor, s_hat: Tensor,
                   generator: torch.Generator) -> Tensor:
    """A middle band: samples whose ``s_hat`` ranks near the median
    preferred, neither the easiest nor the hardest to transfer.

    The score is ``1 - |2 q - 1|`` of the rank quantile ``q`` of ``s_hat``
    (0-based ranks over ``N - 1``, ties at their mean rank).

    Args:
        losses (Tensor): Per-sample distillation losses, ``(N,)``; unused.
        s_hat (Tensor): Normalized easiness, ``(N,)``.
        generator (torch.Generator): Unused.

    Returns:
        Tensor: ``(N,)`` float64 scores in ``[0, 1]``.
    """
    quantile = normalize_easiness(s_hat.double(), 'rank')
    return 1 - (2 * quantile - 1).abs()


def keep_high_criterion(losses: Tensor, s_hat: Tensor,
                        generator: torch.Generator) -> Tensor:
    """InfoBatch's rule as a ranking: samples whose ``s_hat`` is at least
    the mean come first, in a random order, then the others, in a random
    order, so the top ``k`` keep the high ones and a random thinning of the
    low ones (Qin et al., ICLR 2024).

    Args:
        losses (Tensor): Per-sample distillation losses, ``(N,)``; unused.
        s_hat (Tensor): Normalized easiness, ``(N,)``.
        generator (torch.Generator): The CPU generator of the orders.

    Returns:
        Tensor: ``(N,)`` float64 scores, in ``[0.5, 1)`` for the high
        samples and ``[0, 0.5)`` for the low ones.
    """
    jitter = torch.rand(
        s_hat.numel(), generator=generator, dtype=torch.float64)
    high = (s_hat.double() >= s_hat.double().mean()).double()
    return 0.5 * high + 0.5 * jitter


#: The criteria by name, as ``RoundSettings.criterion`` takes them.
CRITERIA: Dict[str, Criterion] = dict(
    easiness=easiness_criterion,
    random=random_criterion,
    low_loss=low_loss_criterion,
    band=band_criterion,
    keep_high=keep_high_criterion)
