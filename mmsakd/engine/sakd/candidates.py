"""Which samples a SAKD round scores and selects from, as registered
components: every sample (the method) or a candidate pool
(docs/method.md#candidate-pool)."""
import math
from typing import List, NamedTuple, Optional

import torch
from torch import Tensor

from mmsakd.registry import TASK_UTILS
from mmsakd.selection import (as_fraction, candidate_pool, check_bool,
                              check_range, make_generator)
from .state import SAKDState


class Candidates(NamedTuple):
    """The candidates of one round.

    Args:
        fresh (list[int], optional): Samples to score, ascending; None:
            every sample.
        reused (Tensor): ``(R,)`` int64 samples whose training loss stands
            in for a score, ascending.
    """
    fresh: Optional[List[int]]
    reused: Tensor


@TASK_UTILS.register_module()
class AllSamples:
    """Every readable sample is scored and is a candidate in every round,
    as in the method. Unreadable clips (``skipped``) are no candidates."""

    reuses_train_losses = False

    def choose(self, state: SAKDState, k: int, skipped: Tensor, seed: int,
               epoch: int) -> Candidates:
        """The round's candidates (see :class:`CandidatePool.choose`)."""
        fresh = None
        if skipped.any():
            fresh = (~skipped).nonzero().flatten().tolist()
        return Candidates(fresh, torch.zeros(0, dtype=torch.long))

    def has_feat(self, state: SAKDState) -> Tensor:
        """``(N,)`` bool, which samples have fused features: all of them
        after the first round."""
        return torch.full((len(state), ), state.feat is not None)

    def sorts_subset(self, num_candidates: int, num_samples: int) -> bool:
        """Whether the subset is handed over in index order: the method's
        rounds hand it over in the order it was selected (which seeds the
        order of training), rounds with unreadable clips in index order."""
        return num_candidates < num_samples

    def after_round(self, state: SAKDState, result: dict,
                    candidates: Tensor) -> None:
        """Nothing to keep: every sample is scored every round."""


@TASK_UTILS.register_module()
class CandidatePool(AllSamples):
    """A round scores ``ceil(pool_factor * k)`` samples (at least enough
    for ``k`` candidates), the least recently scored ones and a random
    share (:func:`~mmsakd.selection.candidate_pool`); with
    ``reuse_train_losses``, the samples trained since the last round are
    candidates too, with their training KD loss as score and their last
    fused features. Every other sample keeps its state.

    Args:
        pool_factor (float, optional): The scored pool in units of the
            subset size ``k``, > 0; None scores every sample that does not
            reuse its loss. Defaults to None.
        pool_random (float): Share of the pool drawn at random, in [0, 1].
            Defaults to 0.5.
        reuse_train_losses (bool): Take the KD loss that the training
            forward computed for each clip trained since the last round
            (clean clip, train-mode student) as its score instead of
            scoring it again. Defaults to False.
    """

    def __init__(self,
                 pool_factor: Optional[float] = None,
                 pool_random: float = 0.5,
                 reuse_train_losses: bool = False) -> None:
        if pool_factor is not None and not (isinstance(pool_factor,
                                                       (int, float)) and
                                            not isinstance(pool_factor, bool)
                                            and pool_factor > 0):
            raise ValueError(f'pool_factor must be a number > 0 or None, got '
                             f'{pool_factor!r}')
        check_range('pool_random', pool_random, 0, 1)
        check_bool('reuse_train_losses', reuse_train_losses)
        self.pool_factor = pool_factor
        self.pool_random = float(pool_random)
        self.reuses_train_losses = reuse_train_losses

    def choose(self, state: SAKDState, k: int, skipped: Tensor, seed: int,
               epoch: int) -> Candidates:
        """The round's candidates.

        Args:
            state (SAKDState): The per-sample state.
            k (int): The round's subset size.
            skipped (Tensor): ``(N,)`` bool, unreadable clips.
            seed (int): The base seed.
            epoch (int): The 0-based epoch of the round.

        Returns:
            Candidates: Those to score and those that reuse their loss.
        """
        num = len(state)
        reused = torch.zeros(num, dtype=torch.bool)
        if self.reuses_train_losses:
            reused = state.trained_since_round & state.has_feat & ~skipped
        num_reused = int(reused.sum())
        size = num - num_reused - int(skipped.sum())
        if self.pool_factor is not None:
            pool = math.ceil(as_fraction(self.pool_factor) * k)
            size = min(size, max(pool, k - num_reused))
        fresh = candidate_pool(
            state.last_scored,
            size,
            self.pool_random,
            generator=make_generator(seed, epoch, stream='pool'),
            exclude=reused | skipped)
        return Candidates(fresh.tolist(), reused.nonzero().flatten())

    def has_feat(self, state: SAKDState) -> Tensor:
        return state.has_feat

    def sorts_subset(self, num_candidates: int, num_samples: int) -> bool:
        return True

    def after_round(self, state: SAKDState, result: dict,
                    candidates: Tensor) -> None:
        """Record when the candidates were last scored, which samples have
        fused features, and start collecting training losses afresh."""
        state.last_scored[candidates] = state.rounds
        state.trained_since_round.zero_()
        state.has_feat = result['known']
