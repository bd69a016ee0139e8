"""One SAKD round, without a runner: candidates -> scorer -> update
(Eq. 5-7) -> selector -> share across ranks."""
import time
from dataclasses import dataclass
from typing import Callable, ContextManager, List, Optional, Tuple, Union

import torch
from mmengine.dist import broadcast_object_list, get_dist_info, is_main_process
from torch import Tensor

from mmsakd.registry import TASK_UTILS
from mmsakd.selection import check_range, subset_size, update_and_select
from .state import SAKDState


@dataclass
class RoundResult:
    """What one round did; the round log is written from it.

    Args:
        epoch (int): The 0-based epoch of the round.
        rate (float): Its interruption rate ``beta(n)``.
        ratio (float): Its ratio.
        scored (int): Samples scored.
        reused (int): Samples whose training loss stood in for a score.
        skipped (list[tuple[int, str]]): ``(index, reason)`` of the clips
            that could not be read in the scoring pass.
        score_time (float): Seconds of the scoring pass.
        score_data_time (float): Seconds this rank waited for its batches.
        select_time (float): Seconds of the update, the selection and the
            broadcast.
        candidates (Tensor, optional): ``(M,)`` the candidates, on rank 0.
            Defaults to None.
        losses (Tensor, optional): ``(M,)`` their losses (scored or
            reused), on rank 0. Defaults to None.
    """
    epoch: int
    rate: float
    ratio: float
    scored: int
    reused: int
    skipped: List[Tuple[int, str]]
    score_time: float
    score_data_time: float
    select_time: float
    candidates: Optional[Tensor] = None
    losses: Optional[Tensor] = None


def _build(component: Union[dict, object], default: str, key: str):
    """Build a component config (None: ``default``); an error names the
    config key of the component (``key``)."""
    if component is None:
        component = dict(type=default)
    if not isinstance(component, dict):
        return component
    try:
        return TASK_UTILS.build(component)
    except (TypeError, ValueError, KeyError) as error:
        raise type(error)(f'default_hooks.sakd.{key}: {error}') from error


class SAKDRound:
    """One round of SAKD (docs/method.md#selection-rounds): the
    ``candidates`` component names the samples to score and those that
    reuse a training loss, the ``scorer`` scores them under the
    interruption and gathers their projected features to rank 0, which
    updates the state (Eq. 5-7, :func:`mmsakd.selection.update_and_select`)
    and selects the subset with the ``selector``; the result goes to every
    rank.

    Args:
        scorer (dict | InterruptionScorer, optional): Defaults to None
            (``InterruptionScorer()``).
        candidates (dict | AllSamples, optional): Defaults to None
            (``AllSamples()``).
        selector (dict | DPPSelector, optional): Defaults to None
            (``DPPSelector()``).
        lam (float): Momentum ``lam`` of Eq. 6-7, in [0, 1).
            Defaults to 0.5.
        norm (str): Easiness normalization, ``'max'`` or ``'rank'``.
            Defaults to 'max'.
    """

    def __init__(self,
                 scorer=None,
                 candidates=None,
                 selector=None,
                 lam: float = 0.5,
                 norm: str = 'max') -> None:
        check_range('lam', lam, 0, 1, high_open=True)
        self.scorer = _build(scorer, 'InterruptionScorer', 'scorer')
        self.candidates = _build(candidates, 'AllSamples', 'candidates')
        self.selector = _build(selector, 'DPPSelector', 'selector')
        self.lam = float(lam)
        self.norm = norm
        # Checks norm.
        self.selector.round_settings(lam=self.lam, norm=norm)

    def run(self,
            model,
            state: SAKDState,
            epoch: int,
            max_epochs: int,
            ratio: float,
            labels: Tensor,
            skipped: Optional[Tensor] = None,
            autocast: Optional[Callable[[], ContextManager]] = None
            ) -> RoundResult:
        """Run a round and update ``state`` on every rank (``feat`` on rank
        0 only).

        Args:
            model: The distiller, unwrapped (``score``,
                ``data_preprocessor``).
            state (SAKDState): The per-sample state.
            epoch (int): The 0-based epoch of the round.
            max_epochs (int): The training epochs (Eq. 4).
            ratio (float): The round's ratio.
            labels (Tensor): ``(N,)`` class labels.
            skipped (Tensor, optional): ``(N,)`` bool, clips known to be
                unreadable, no candidates. Defaults to None.
            autocast (callable, optional): The autocast of training.
                Defaults to None.

        Returns:
            RoundResult: Counts and timings.
        """
        num = len(state)
        if skipped is None:
            skipped = torch.zeros(num, dtype=torch.bool)
        rate = self.scorer.rate(epoch, max_epochs)
        settings = self.selector.round_settings(
            ratio=ratio, seed=state.seed, lam=self.lam, norm=self.norm)
        chosen = self.candidates.choose(state, subset_size(ratio, num),
                                        skipped, state.seed, epoch)

        start = time.time()
        timing = dict(data_time=0.)
        scores = None
        if chosen.fresh is None or len(chosen.fresh):
            scores = self.scorer(model, rate, epoch, state.seed, chosen.fresh,
                                 autocast, timing)
        score_time = time.time() - start

        start = time.time()
        result = losses = None
        if is_main_process():
            scored = chosen.reused[:0] if scores is None else scores.indices
            candidates = torch.cat([scored, chosen.reused])
            losses = [state.train_loss[chosen.reused]]
            if scores is not None:
                losses.insert(0, scores.losses)
            losses = torch.cat(losses)
            result = update_and_select(
                candidates, losses, None if scores is None else scores.feats,
                torch.arange(len(candidates)) < len(scored),
                state.omega, state.alpha, state.feat,
                self.candidates.has_feat(state), state.rounds, rate, epoch,
                settings, labels)
            if self.candidates.sorts_subset(len(candidates), num):
                result['subset'] = sorted(result['subset'])
            result['candidates'] = candidates
            result['skipped'] = [] if scores is None else scores.skipped
            # Only rank 0 selects, so only rank 0 keeps the features.
            state.feat = result.pop('feat')
        result = _broadcast(result)
        self.candidates.after_round(state, result, result['candidates'])
        state.omega, state.alpha = result['omega'], result['alpha']
        state.subset, state.rounds = result['subset'], result['rounds']
        num_reused = len(chosen.reused)
        return RoundResult(
            epoch=epoch,
            rate=rate,
            ratio=ratio,
            scored=len(result['candidates']) - num_reused,
            reused=num_reused,
            skipped=result['skipped'],
            score_time=score_time,
            score_data_time=timing['data_time'],
            select_time=time.time() - start,
            candidates=result['candidates'] if is_main_process() else None,
            losses=losses)


def _broadcast(obj):
    _, world_size = get_dist_info()
    if world_size == 1:
        return obj
    holder = [obj]
    broadcast_object_list(holder, src=0)
    return holder[0]
