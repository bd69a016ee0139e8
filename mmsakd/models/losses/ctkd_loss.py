"""Curriculum temperature knowledge distillation (Li et al., AAAI 2023)."""
import math
from typing import Any, Optional, Tuple

import torch
from torch import Tensor, nn

from mmsakd.registry import MODELS
from ..utils import is_number, runtime_progress
from .base_kd_loss import BaseKDLoss
from .utils import (check_counts, check_logit_pair, check_non_negative,
                    check_positive, soft_kl_per_sample)


class _GradientReversal(torch.autograd.Function):
    """Identity forward; backward multiplies the gradient by ``-lambda``."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, lambda_: float) -> Tensor:
        ctx.lambda_ = lambda_
        return x.view_as(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tuple[Tensor, None]:
        return -ctx.lambda_ * grad, None


@MODELS.register_module()
class CTKDLoss(BaseKDLoss):
    """Logit distillation with a learnable temperature trained adversarially
    under a curriculum.

    Li et al., "Curriculum Temperature for Knowledge Distillation" (AAAI
    2023), global-temperature variant. A learnable scalar ``t`` sets the
    temperature::

        tau = tau_min + tau_range * sigmoid(GRL_lambda(t))
        CTKD = loss_weight * tau**2 * KL(softmax(z_t / tau) ||
                                          softmax(z_s / tau))

    ``GRL_lambda`` is a gradient-reversal layer: the identity in the forward
    pass, ``-lambda`` times the gradient in the backward pass. So the
    student minimises the loss while ``t`` maximises it (the temperature
    makes distillation harder), with a strength that follows the paper's
    cosine curriculum over the (0-based) epoch ``e``::

        lambda = lambda_min + 0.5 * (lambda_max - lambda_min)
                 * (1 + cos((1 + min(e, E) / E) * pi)),  E = curriculum_epochs

    i.e. ``lambda_min`` at epoch 0, rising to ``lambda_max`` at epoch ``E``
    and staying there. ``e`` is read from mmengine's :class:`MessageHub`
    (set by ``RuntimeInfoHook``); without it (no runner, e.g. unit tests or
    standalone use) the curriculum counts as finished: ``lambda =
    lambda_max``. ``lambda`` only changes the gradient of ``t``, never the
    loss value, so the SAKD scoring pass is not affected by it.

    The defaults are the paper's: ``tau`` in ``[1, 21]``, ``lambda`` from 0
    to 1 over 10 epochs. ``t`` is an ``nn.Parameter`` of the loss, so it is
    trained and checkpointed with the student (the optimizer's weight decay
    applies to it too unless excluded, e.g. with ``paramwise_cfg``). All
    samples share one temperature. Logits are upcast to float32; the
    teacher's are detached. Called as ``loss(student_logits, teacher_logits,
    reduction_override=None)``.

    Args:
        tau_min (float): Smallest temperature, > 0. Defaults to 1.0.
        tau_range (float): Width of the temperature range, > 0.
            Defaults to 20.0.
        curriculum_epochs (int): Length ``E`` of the curriculum in epochs,
            >= 1. Defaults to 10.
        lambda_max (float): Final reversal strength, >= 0. Defaults to 1.0.
        lambda_min (float): Initial reversal strength, in
            ``[0, lambda_max]``. Defaults to 0.0.
        t_init (float): Initial value of ``t``; 0 starts at
            ``tau = tau_min + tau_range / 2``. Defaults to 0.0.
        **kwargs: ``loss_weight`` and ``reduction`` of
            :class:`BaseKDLoss`.
    """

    teacher_logits_only = True

    def __init__(self,
                 tau_min: float = 1.0,
                 tau_range: float = 20.0,
                 curriculum_epochs: int = 10,
                 lambda_max: float = 1.0,
                 lambda_min: float = 0.0,
                 t_init: float = 0.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        check_positive(tau_min=tau_min, tau_range=tau_range)
        check_counts(curriculum_epochs=curriculum_epochs)
        check_non_negative(lambda_max=lambda_max, lambda_min=lambda_min)
        if lambda_min > lambda_max:
            raise ValueError(f'lambda_min must be <= lambda_max={lambda_max}, '
                             f'got {lambda_min!r}')
        if not is_number(t_init) or not math.isfinite(t_init):
            raise ValueError(f't_init must be a finite number, got {t_init!r}')
        self.tau_min = float(tau_min)
        self.tau_range = float(tau_range)
        self.curriculum_epochs = curriculum_epochs
        self.lambda_max = float(lambda_max)
        self.lambda_min = float(lambda_min)
        self.t = nn.Parameter(torch.tensor(float(t_init)))

    def curriculum_lambda(self) -> float:
        """The gradient-reversal strength of the current epoch."""
        epoch = runtime_progress().epoch
        if epoch is None:
            return self.lambda_max
        progress = min(epoch, self.curriculum_epochs) / \
            self.curriculum_epochs
        return self.lambda_min + 0.5 * (self.lambda_max -
                                        self.lambda_min) * (1 + math.cos(
                                            (1 + progress) * math.pi))

    def temperature(self, lambda_: Optional[float] = None) -> Tensor:
        """The current temperature, a scalar tensor with gradient to ``t``
        through the gradient-reversal layer.

        Args:
            lambda_ (float, optional): Reversal strength; None uses
                :meth:`curriculum_lambda`. Defaults to None.
        """
        if lambda_ is None:
            lambda_ = self.curriculum_lambda()
        t = _GradientReversal.apply(self.t, float(lambda_))
        return self.tau_min + self.tau_range * torch.sigmoid(t)

    def per_sample(self, student_logits: Tensor, teacher_logits: Tensor,
                   **kwargs) -> Tensor:
        """The CTKD loss of each sample.

        Args:
            student_logits (Tensor): ``(N, K)``.
            teacher_logits (Tensor): ``(N, K)``.
            **kwargs: Other inputs the distiller passes; unused.

        Returns:
            Tensor: ``(N,)`` float32.
        """
        check_logit_pair(student_logits, teacher_logits)
        tau = self.temperature().float()
        return self.loss_weight * soft_kl_per_sample(student_logits,
                                                     teacher_logits, tau)
