"""Decoupled knowledge distillation (Zhao et al., CVPR 2022)."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmsakd.registry import MODELS
from mmsakd.selection.checks import check_range
from ..utils import runtime_progress
from .base_kd_loss import BaseKDLoss
from .utils import check_logit_pair, check_non_negative, check_positive


@MODELS.register_module()
class DKDLoss(BaseKDLoss):
    """Logit distillation split into a target-class and a non-target-class
    term.

    Zhao et al., "Decoupled Knowledge Distillation" (CVPR 2022). For a
    sample of target class ``y``, with ``p = softmax(logits / tau)`` for the
    teacher (``p_t``) and the student (``p_s``)::

        b   = [p[y], 1 - p[y]]                  # binary target/other split
        q   = softmax over k != y of logits / tau  # non-target distribution
        TCKD = tau**2 * KL(b_t || b_s)
        NCKD = tau**2 * KL(q_t || q_s)
        DKD  = loss_weight * w * (alpha * TCKD + beta * NCKD)

    The ``tau**2`` factors follow the authors' reference implementation.
    The defaults are the paper's CIFAR-100 settings (``alpha=1``, ``beta=8``,
    ``tau=4``, 20 warm-up epochs).

    ``w`` is a linear warm-up of the whole KD term. The paper warms up over
    20 of its 240 epochs; shorter runs keep that proportion: the warm-up
    lasts ``W = min(warmup_epochs, warmup_ratio * max_epochs)`` epochs and
    during (0-based) epoch ``e``, ``w = min(1, (e + 1) / W)`` -- the
    reference code's ``min(epoch / warmup, 1)`` with its 1-based epochs. It
    steps once per epoch rather than per iteration because SAKD trains on a
    subset whose size, and so the epoch's number of iterations, changes from
    round to round. ``e`` and ``max_epochs`` are read from mmengine's
    :class:`MessageHub` (set by ``RuntimeInfoHook``); without them (no
    runner, e.g. unit tests or standalone use) ``w = 1``, and without
    ``max_epochs`` ``W = warmup_epochs``.

    ``w`` is part of ``KD_j`` (docs/method.md#training-loss), so it also
    scales the values of the SAKD scoring pass, which runs at the start of
    each epoch with that epoch's ``w``. All samples of an epoch share
    ``w``, so the ranking of samples by KD loss does not depend on it.

    Labels are required (the split needs the target class). Soft labels
    ``(N, K)`` (e.g. from mixup) use their arg-max as the target class.
    Logits are upcast to float32; the teacher's are detached. Called as
    ``loss(student_logits, teacher_logits, labels, reduction_override=None)``.

    Args:
        alpha (float): Weight of TCKD, >= 0. Defaults to 1.0.
        beta (float): Weight of NCKD, >= 0. Defaults to 8.0.
        tau (float): Temperature, > 0. Defaults to 4.0.
        warmup_epochs (float): Longest warm-up in epochs, >= 0; 0 turns the
            warm-up off. Defaults to 20.
        warmup_ratio (float): Fraction of ``max_epochs`` that the warm-up
            lasts at most, in ``(0, 1]``. Defaults to ``20 / 240``.
        **kwargs: ``loss_weight`` and ``reduction`` of
            :class:`BaseKDLoss`.
    """

    forward_args = ('student_logits', 'teacher_logits', 'labels')
    teacher_logits_only = True

    def __init__(self,
                 alpha: float = 1.0,
                 beta: float = 8.0,
                 tau: float = 4.0,
                 warmup_epochs: float = 20,
                 warmup_ratio: float = 20 / 240,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        check_non_negative(alpha=alpha, beta=beta, warmup_epochs=warmup_epochs)
        check_positive(tau=tau)
        check_range('warmup_ratio', warmup_ratio, 0, 1, low_open=True)
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.tau = float(tau)
        self.warmup_epochs = float(warmup_epochs)
        self.warmup_ratio = float(warmup_ratio)

    def warmup_factor(self) -> float:
        """The warm-up factor ``w`` of the current epoch, in ``(0, 1]``."""
        progress = runtime_progress()
        epoch, max_epochs = progress.epoch, progress.max_epochs
        if epoch is None or self.warmup_epochs == 0:
            return 1.0
        length = self.warmup_epochs
        if max_epochs is not None:
            length = min(length, self.warmup_ratio * max_epochs)
        return min(1.0, (epoch + 1) / length)

    def decoupled(self, student_logits: Tensor, teacher_logits: Tensor,
                  labels: Tensor) -> Tuple[Tensor, Tensor]:
        """TCKD and NCKD of each sample, ``tau**2``-scaled, without weights
        or warm-up.

        Args:
            student_logits (Tensor): ``(N, K)``.
            teacher_logits (Tensor): ``(N, K)``.
            labels (Tensor): ``(N,)`` class indices or ``(N, K)`` soft
                labels.

        Returns:
            tuple[Tensor, Tensor]: TCKD and NCKD, each ``(N,)`` float32.
        """
        _check_inputs(student_logits, teacher_logits, labels)
        target = _target_class(labels)
        tckd_s, nckd_s = _binary_and_nontarget(student_logits.float(), target,
                                               self.tau)
        tckd_t, nckd_t = _binary_and_nontarget(teacher_logits.detach().float(),
                                               target, self.tau)
        scale = self.tau**2
        tckd = (tckd_t.exp() * (tckd_t - tckd_s)).sum(dim=1)
        nckd = (nckd_t.exp() * (nckd_t - nckd_s)).sum(dim=1)
        return scale * tckd, scale * nckd

    def per_sample(self,
                   student_logits: Tensor,
                   teacher_logits: Tensor,
                   labels: Optional[Tensor] = None,
                   **kwargs) -> Tensor:
        """The DKD loss of each sample.

        Args:
            student_logits (Tensor): ``(N, K)``.
            teacher_logits (Tensor): ``(N, K)``.
            labels (Tensor): ``(N,)`` class indices or ``(N, K)`` soft
                labels. Required; None raises an error.
            **kwargs: Other inputs the distiller passes; unused.

        Returns:
            Tensor: ``(N,)`` float32.
        """
        if labels is None:
            raise ValueError(
                'DKDLoss needs labels (the target class of each sample), got '
                'labels=None; every data sample needs a gt_label')
        tckd, nckd = self.decoupled(student_logits, teacher_logits, labels)
        weight = self.loss_weight * self.warmup_factor()
        return weight * (self.alpha * tckd + self.beta * nckd)


def _check_inputs(student_logits: Tensor, teacher_logits: Tensor,
                  labels: Tensor) -> None:
    check_logit_pair(student_logits, teacher_logits)
    num, num_classes = student_logits.shape
    if num_classes < 2:
        raise ValueError('DKDLoss needs at least 2 classes, got logits of '
                         f'shape {tuple(student_logits.shape)}')
    if labels.shape not in ((num, ), (num, num_classes)):
        raise ValueError(
            f'labels must have shape ({num},) or ({num}, {num_classes}), got '
            f'{tuple(labels.shape)}')


def _target_class(labels: Tensor) -> Tensor:
    """``(N,)`` class indices from hard or soft labels."""
    if labels.dim() == 2:
        return labels.argmax(dim=1)
    return labels.long()


def _binary_and_nontarget(logits: Tensor, target: Tensor,
                          tau: float) -> Tuple[Tensor, Tensor]:
    """Log-probabilities of the binary split ``(N, 2)`` and of the
    non-target distribution ``(N, K - 1)``, computed in log space (no
    ``log(1 - p)`` cancellation)."""
    scaled = logits / tau
    num, num_classes = scaled.shape
    is_target = F.one_hot(target, num_classes).bool()
    # Each row has exactly K - 1 non-target logits.
    others = scaled[~is_target].view(num, num_classes - 1)
    log_z = torch.logsumexp(scaled, dim=1)
    log_target = scaled[is_target] - log_z
    log_other = torch.logsumexp(others, dim=1) - log_z
    binary = torch.stack([log_target, log_other], dim=1)
    return binary, F.log_softmax(others, dim=1)
