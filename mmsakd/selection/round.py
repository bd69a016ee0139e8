"""One SAKD selection round on gathered scores: the per-sample updates
(Eq. 5-7) and the selection (Eq. 8), docs/method.md#difficulty to
docs/method.md#selection."""
import math
from dataclasses import dataclass
from typing import Dict, Optional

import torch
from torch import Tensor

from .checks import as_fraction, check_choice, check_int, check_range
from .criteria import CRITERIA
from .difficulty import (NORMS, check_finite, easiness, normalize_easiness,
                         selection_probability, update_strength)
from .features import fuse_features, project_features
from .interruption import make_generator
from .partition import PARTITIONS
from .select import select_samples, top_k

#: Diversity terms: greedy DPP over the fused features (Eq. 8), or none
#: (the top ``k`` scores).
DIVERSITY = ('dpp', 'none')
#: ``SAKDHook``'s ``selector`` names as (criterion, diversity): the method,
#: and a uniformly random subset of the same size.
SELECTORS = dict(dpp=('easiness', 'dpp'), random=('random', 'none'))


@dataclass(frozen=True)
class RoundSettings:
    """The settings of :func:`selection_round`, checked on creation.

    The criterion says which samples score as preferred, the diversity term
    how the subset is picked from the scores; SAKD is
    ``criterion='easiness', diversity='dpp'``.

    Args:
        ratio (float): Selected fraction ``r``, in ``(0, 1]``.
            Defaults to 0.1.
        lam (float): Momentum ``lam`` of Eq. 6-7, in ``[0, 1)``.
            Defaults to 0.5.
        gamma (float): Easiness/diversity trade-off of Eq. 8, in ``[0, 1]``.
            Defaults to 0.5.
        norm (str): Easiness normalization, ``'max'`` or ``'rank'``
            (:func:`~mmsakd.selection.normalize_easiness`).
            Defaults to 'max'.
        d_max (int, optional): Feature dimension above which the round
            projects the features it is given, >= 1; None takes them as
            they are (the scoring pass of ``SAKDHook`` has projected them
            already). Defaults to None.
        sigma (float): Ridge of the DPP kernel, > 0. Defaults to 1e-3.
        partition (str): Selection blocks, ``'class'`` or ``'random'``.
            Defaults to 'class'.
        block_size (int): Largest selection block, >= 1. Defaults to 4096.
        criterion (str): A name in
            :data:`~mmsakd.selection.criteria.CRITERIA`. Defaults to
            'easiness'.
        diversity (str): One of :data:`DIVERSITY`. Defaults to 'dpp'.
        seed (int): Base seed of the projection, the selection blocks and
            random criteria, >= 0. Defaults to 0.
    """
    ratio: float = 0.1
    lam: float = 0.5
    gamma: float = 0.5
    norm: str = 'max'
    d_max: Optional[int] = None
    sigma: float = 1e-3
    partition: str = 'class'
    block_size: int = 4096
    criterion: str = 'easiness'
    diversity: str = 'dpp'
    seed: int = 0

    def __post_init__(self) -> None:
        check_range('ratio', self.ratio, 0, 1, low_open=True)
        check_range('lam', self.lam, 0, 1, high_open=True)
        check_range('gamma', self.gamma, 0, 1)
        check_choice('norm', self.norm, NORMS)
        if self.d_max is not None:
            check_int('d_max', self.d_max, 1)
        if not (isinstance(self.sigma, (int, float)) and self.sigma > 0):
            raise ValueError(f'sigma must be > 0, got {self.sigma!r}')
        check_choice('partition', self.partition, PARTITIONS)
        check_int('block_size', self.block_size, 1)
        check_choice('criterion', self.criterion, CRITERIA)
        check_choice('diversity', self.diversity, DIVERSITY)
        check_int('seed', self.seed, 0)
        for name in ('ratio', 'lam', 'gamma', 'sigma'):
            object.__setattr__(self, name, float(getattr(self, name)))

    @classmethod
    def from_selector(cls, selector: str, **kwargs) -> 'RoundSettings':
        """The settings of a ``SAKDHook`` ``selector`` name.

        Args:
            selector (str): A key of :data:`SELECTORS`.
            **kwargs: The other fields.

        Returns:
            RoundSettings: With the selector's criterion and diversity.
        """
        check_choice('selector', selector, SELECTORS)
        criterion, diversity = SELECTORS[selector]
        return cls(criterion=criterion, diversity=diversity, **kwargs)


def subset_size(ratio: float, num_samples: int) -> int:
    """The number ``k = ceil(ratio * N)`` of samples a round selects
    (docs/method.md#selection).

    Every subset rule of the benchmark (SAKD, its random selector and
    :class:`~mmsakd.engine.hooks.RandomSubsetHook`) sizes its subset here,
    so that they train on the same number of samples for the same ratio.

    Args:
        ratio (float): Selected fraction ``r``, in ``(0, 1]``.
        num_samples (int): Size ``N`` of the training set, >= 0.

    Returns:
        int: ``ceil(ratio * num_samples)``, exact for the ratio as written
        (:func:`~mmsakd.selection.as_fraction`): 7 for 0.07 of 100.
    """
    check_range('ratio', ratio, 0, 1, low_open=True)
    check_int('num_samples', num_samples, 0)
    return math.ceil(as_fraction(ratio) * num_samples)


def select_subset(scores: Tensor,
                  features: Tensor,
                  k: int,
                  epoch: int,
                  settings: RoundSettings,
                  labels: Optional[Tensor] = None) -> Tensor:
    """Pick ``k`` samples from the criterion's scores with the settings'
    diversity term.

    ``'dpp'``: :func:`~mmsakd.selection.select_samples` with the scores as
    quality (Eq. 8), seeded by ``settings.seed + epoch``; ``'none'``: the
    ``k`` highest scores (:func:`~mmsakd.selection.select.top_k`).

    Args:
        scores (Tensor): ``(N,)`` criterion scores in ``[0, 1]``.
        features (Tensor): ``(N, d)`` fused teacher features.
        k (int): Number of samples, in ``[0, N]``.
        epoch (int): 0-based epoch of the round.
        settings (RoundSettings): The settings.
        labels (Tensor, optional): Class labels for ``partition='class'``.
            Defaults to None.

    Returns:
        Tensor: ``(k,)`` distinct int64 indices.
    """
    if settings.diversity == 'none':
        return top_k(scores, k)
    return select_samples(
        features,
        scores,
        k,
        gamma=settings.gamma,
        labels=labels,
        partition=settings.partition,
        block_size=settings.block_size,
        sigma=settings.sigma,
        seed=settings.seed + epoch)


def selection_round(losses: Tensor,
                    feats: Tensor,
                    omega: Tensor,
                    alpha: Tensor,
                    feat: Optional[Tensor],
                    rounds: int,
                    rate: float,
                    epoch: int,
                    settings: Optional[RoundSettings] = None,
                    labels: Optional[Tensor] = None) -> Dict:
    """Update the per-sample state from one scoring pass of every sample
    and select the subset of the next epochs: :func:`update_and_select`
    with every sample a fresh candidate.

    Args:
        losses (Tensor): Per-sample KD loss ``L~`` of the interrupted clips,
            ``(N, )``.
        feats (Tensor): Pooled teacher features ``(N, c)``.
        omega (Tensor): Times each sample was selected so far, ``(N, )``.
        alpha (Tensor): Distillation strengths so far, ``(N, )``.
        feat (Tensor, optional): Fused features so far ``(N, d)``; None
            before the first round.
        rounds (int): Selection rounds done so far.
        rate (float): Interruption rate ``beta(n)`` of this round.
        epoch (int): 0-based epoch of this round (seeds the selection).
        settings (RoundSettings, optional): None takes the defaults.
            Defaults to None.
        labels (Tensor, optional): Class labels for ``partition='class'``.
            Defaults to None.

    Returns:
        dict: ``omega``, ``alpha``, ``feat``, ``subset`` (list of indices,
        in the order they were selected) and ``rounds`` after this round.
    """
    num = len(losses)
    known = torch.full((num, ), feat is not None and rounds > 0)
    state = update_and_select(
        torch.arange(num), losses, feats, torch.ones(num, dtype=torch.bool),
        omega, alpha, feat, known, rounds, rate, epoch, settings, labels)
    del state['known']
    return state


def pool_round(*args, **kwargs) -> Dict:
    """:func:`update_and_select` over a candidate pool
    (docs/method.md#candidate-pool), with the subset in index order.

    Args:
        *args: The arguments of :func:`update_and_select`.
        **kwargs: Its keyword arguments.

    Returns:
        dict: As :func:`update_and_select`, ``subset`` ascending.
    """
    state = update_and_select(*args, **kwargs)
    state['subset'] = sorted(state['subset'])
    return state


def update_and_select(candidates: Tensor,
                      losses: Tensor,
                      feats: Optional[Tensor],
                      fresh: Tensor,
                      omega: Tensor,
                      alpha: Tensor,
                      feat: Optional[Tensor],
                      known: Tensor,
                      rounds: int,
                      rate: float,
                      epoch: int,
                      settings: Optional[RoundSettings] = None,
                      labels: Optional[Tensor] = None) -> Dict:
    """One round's update of the candidates' state and the selection of the
    subset of the next epochs (docs/method.md#difficulty to
    docs/method.md#selection); every other sample keeps its state.

    Update: easiness from the candidates' distillation losses and selection
    frequencies, normalized among the candidates (Eq. 5), their strengths
    (Eq. 6) and the fused features of the ``fresh`` ones, scored this round
    (Eq. 7; the others reuse a training loss and keep their features).
    Select: the criterion's scores, then the diversity term
    (:func:`select_subset`) picks ``ceil(ratio * N)`` candidates (at most
    all of them), and ``omega += 1`` on the subset. A round of the method
    has every sample as a fresh candidate (:func:`selection_round`).

    Args:
        candidates (Tensor): ``(M,)`` distinct int64 indices.
        losses (Tensor): ``(M,)`` their distillation losses.
        feats (Tensor, optional): ``(F, c)`` pooled teacher features of the
            fresh candidates, in candidate order, projected by the scoring
            pass or, with ``settings.d_max``, here; None if none is fresh.
        fresh (Tensor): ``(M,)`` bool, which candidates were scored (and
            have a row of ``feats``).
        omega (Tensor): ``(N,)`` selection counts so far.
        alpha (Tensor): ``(N,)`` strengths so far.
        feat (Tensor, optional): ``(N, d)`` fused features so far; None
            before any sample was scored.
        known (Tensor): ``(N,)`` bool, which samples have fused features.
            Every candidate that is not fresh must be known.
        rounds (int): Selection rounds done so far.
        rate (float): Interruption rate ``beta(n)`` of this round.
        epoch (int): 0-based epoch of this round (seeds the selection).
        settings (RoundSettings, optional): None takes the defaults.
            Defaults to None.
        labels (Tensor, optional): ``(N,)`` class labels for
            ``partition='class'``. Defaults to None.

    Returns:
        dict: ``omega``, ``alpha``, ``feat``, ``known``, ``subset`` (list of
        indices, in the order they were selected) and ``rounds`` after this
        round.
    """
    settings = settings or RoundSettings()
    num = len(omega)
    fresh = fresh.bool()
    if not (candidates.shape == losses.shape == fresh.shape):
        raise ValueError('candidates, losses and fresh must have one entry '
                         f'per candidate, got {tuple(candidates.shape)}, '
                         f'{tuple(losses.shape)} and {tuple(fresh.shape)}')
    if len(candidates) == 0:
        raise ValueError('the candidate pool is empty')
    if len(torch.unique(candidates)) != len(candidates):
        raise ValueError('candidates must be distinct')
    num_fresh = int(fresh.sum())
    if num_fresh and (feats is None or len(feats) != num_fresh):
        raise ValueError(f'feats must have one row per fresh candidate '
                         f'({num_fresh}), got '
                         f'{None if feats is None else tuple(feats.shape)}')
    if not bool(known[candidates[~fresh]].all()):
        raise ValueError('a candidate that reuses its loss must have fused '
                         'features from an earlier round')
    check_finite(losses, 'distillation losses')
    probability = selection_probability(omega, rounds)[candidates]
    s_hat = normalize_easiness(easiness(losses, probability), settings.norm)
    new_alpha = alpha.clone()
    new_alpha[candidates] = update_strength(alpha[candidates], s_hat, rate,
                                            settings.lam)
    new_feat, new_known = feat, known.clone()
    if num_fresh:
        projected = feats
        if settings.d_max is not None:
            projected = project_features(feats, settings.d_max, settings.seed)
        if new_feat is None:
            new_feat = torch.zeros(num, projected.shape[1])
        else:
            new_feat = new_feat.clone()
        rows = candidates[fresh]
        first = ~known[rows]
        new_feat[rows[first]] = projected[first].to(new_feat.dtype)
        new_feat[rows[~first]] = fuse_features(new_feat[rows[~first]],
                                               projected[~first], settings.lam)
        new_known[rows] = True
    k = min(subset_size(settings.ratio, num), len(candidates))
    picked = _select(losses, s_hat, new_feat[candidates], k, epoch, settings,
                     None if labels is None else labels[candidates])
    subset = candidates[picked]
    new_omega = omega.clone()
    new_omega[subset] += 1
    return dict(
        omega=new_omega,
        alpha=new_alpha,
        feat=new_feat,
        known=new_known,
        subset=[int(i) for i in subset],
        rounds=rounds + 1)


def _select(losses: Tensor, s_hat: Tensor, features: Tensor, k: int,
            epoch: int, settings: RoundSettings,
            labels: Optional[Tensor]) -> Tensor:
    """The criterion's scores, then :func:`select_subset`."""
    generator = make_generator(settings.seed, epoch, stream='criterion')
    scores = CRITERIA[settings.criterion](losses, s_hat, generator)
    return select_subset(scores, features, k, epoch, settings, labels)
