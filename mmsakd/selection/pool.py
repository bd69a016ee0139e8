"""Candidate pools: which samples a selection round scores when it does not
score them all (docs/method.md#candidate-pool)."""
import math

import torch
from torch import Tensor

from .checks import as_fraction, check_int, check_range


def candidate_pool(last_scored: Tensor,
                   size: int,
                   random_share: float = 0.5,
                   generator: torch.Generator = None,
                   exclude: Tensor = None) -> Tensor:
    """Pick ``size`` samples to score: the least recently scored ones and a
    random share of the others.

    ``ceil((1 - random_share) * size)`` samples are taken in order of
    ``last_scored`` (never scored, ``-1``, first; ties in a random order),
    then the rest uniformly at random from the samples left. With
    ``random_share=0`` every sample is scored once in any
    ``ceil(N / size)`` consecutive rounds; the random share keeps a sample
    that was just scored from waiting that long when it changes fast.

    Args:
        last_scored (Tensor): ``(N,)`` int64, the round each sample was last
            scored in, ``-1`` if never.
        size (int): Number of samples to pick, in ``[0, N - excluded]``.
        random_share (float): Share of the pool drawn at random, in
            ``[0, 1]``. Defaults to 0.5.
        generator (torch.Generator, optional): CPU generator of the
            tie-breaking order and the random share. Defaults to None.
        exclude (Tensor, optional): ``(N,)`` bool, samples that must not be
            picked (e.g. those whose scores are reused). Defaults to None.

    Returns:
        Tensor: ``(size,)`` distinct int64 indices, ascending.
    """
    check_range('random_share', random_share, 0, 1)
    num = last_scored.numel()
    allowed = torch.ones(num, dtype=torch.bool)
    if exclude is not None:
        if exclude.shape != (num, ):
            raise ValueError(f'exclude must have shape ({num},), got '
                             f'{tuple(exclude.shape)}')
        allowed &= ~exclude.bool()
    check_int('size', size, 0)
    available = int(allowed.sum())
    if size > available:
        raise ValueError(f'size must be at most {available} (the samples '
                         f'not excluded), got {size}')
    # A random order first, then a stable sort by last_scored: ties stay in
    # the random order.
    order = torch.randperm(num, generator=generator)
    order = order[allowed[order]]
    order = order[torch.sort(last_scored[order].long(), stable=True).indices]
    num_oldest = min(size, math.ceil((1 - as_fraction(random_share)) * size))
    oldest, rest = order[:num_oldest], order[num_oldest:]
    pick = torch.randperm(len(rest), generator=generator)[:size - num_oldest]
    return torch.sort(torch.cat([oldest, rest[pick]])).values
