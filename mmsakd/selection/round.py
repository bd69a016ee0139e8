"""One SAKD selection round on gathered scores (SAKD_METHOD.md 3-6)."""
import math
from typing import Dict, Optional

import torch
from torch import Tensor

from .difficulty import (check_finite, easiness, normalize_easiness,
                         selection_probability, update_strength)
from .features import fuse_features, project_features
from .interruption import make_generator
from .select import select_samples


def selection_round(losses: Tensor,
                    feats: Tensor,
                    omega: Tensor,
                    alpha: Tensor,
                    feat: Optional[Tensor],
                    rounds: int,
                    rate: float,
                    epoch: int,
                    ratio: float = 0.1,
                    lam: float = 0.5,
                    gamma: float = 0.5,
                    norm: str = 'max',
                    d_max: int = 512,
                    sigma: float = 1e-3,
                    labels: Optional[Tensor] = None,
                    partition: str = 'class',
                    block_size: int = 4096,
                    selector: str = 'dpp',
                    seed: int = 0) -> Dict:
    """Update the per-sample state from one scoring pass and select the
    subset of the next epochs.

    Eq. 5 (easiness from the per-sample KD loss and the selection
    frequency), Eq. 6 (distillation strength), Eq. 7 (fused teacher
    features) and Eq. 8 (greedy DPP, or uniform random selection for the
    ablation ``selector='random'``), then ``omega += 1`` on the subset.

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
        ratio (float): Selected fraction ``r``. Defaults to 0.1.
        lam (float): Momentum of Eq. 6-7. Defaults to 0.5.
        gamma (float): Quality/diversity trade-off of Eq. 8. Defaults to 0.5.
        norm (str): Easiness normalisation, 'max' or 'rank'.
            Defaults to 'max'.
        d_max (int): Feature dimension above which features are projected.
            Defaults to 512.
        sigma (float): Ridge of the DPP kernel. Defaults to 1e-3.
        labels (Tensor, optional): Class labels for ``partition='class'``.
            Defaults to None.
        partition (str): 'class' or 'random' blocks. Defaults to 'class'.
        block_size (int): Largest block. Defaults to 4096.
        selector (str): 'dpp' or 'random'. Defaults to 'dpp'.
        seed (int): Base seed of the projection and the selection.
            Defaults to 0.

    Returns:
        dict: ``omega``, ``alpha``, ``feat``, ``subset`` (list of indices)
        and ``rounds`` after this round.
    """
    check_finite(losses, 'distillation losses')
    probability = selection_probability(omega, rounds)
    s_hat = normalize_easiness(easiness(losses, probability), norm)
    new_alpha = update_strength(alpha, s_hat, rate, lam)
    projected = project_features(feats, d_max, seed)
    new_feat = fuse_features(feat, projected, lam, first_round=rounds == 0)
    num_samples = len(losses)
    k = math.ceil(ratio * num_samples)
    if selector == 'dpp':
        subset = select_samples(
            new_feat,
            s_hat,
            k,
            gamma=gamma,
            labels=labels,
            partition=partition,
            block_size=block_size,
            sigma=sigma,
            seed=seed + epoch)
    elif selector == 'random':
        generator = make_generator(seed, epoch, 0)
        subset = torch.randperm(num_samples, generator=generator)[:k]
    else:
        raise ValueError(
            f"selector must be 'dpp' or 'random', got {selector!r}")
    new_omega = omega.clone()
    new_omega[subset] += 1
    return dict(
        omega=new_omega,
        alpha=new_alpha,
        feat=new_feat,
        subset=[int(i) for i in subset],
        rounds=rounds + 1)
