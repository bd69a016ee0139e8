"""DualKD: optimal-transport feature distillation plus self-distillation
from an exponential moving average of the student (our interpretation)."""
import math
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call

from mmsakd.registry import MODELS
from mmsakd.selection.checks import check_range
from ..utils import Features, average_views
from .base_kd_loss import BaseFeatureKDLoss
from .utils import (Channels, average_feature_rows, build_connectors,
                    check_counts, check_non_negative, check_positive,
                    connected_levels, soft_kl_per_sample)

# Buffer names cannot hold dots; the EMA copy of ``cls_head.fc.weight`` is
# stored as ``ema_head.fc__weight``.
_DOT = '__'


@MODELS.register_module()
class DualKDLoss(BaseFeatureKDLoss):
    """Sinkhorn optimal-transport distance between teacher and student
    feature tokens, plus KL self-distillation from an EMA of the student's
    classifier.

    Wang et al., "Dual Knowledge Distillation" for video action recognition
    (IEEE TIP, 2024). No code is public; this is our reading of its two
    parts, for a sample ``i``::

        DualKD_i = loss_weight * (ot_weight * OT_i + self_weight * SD_i)

    **OT term.** Per feature level ``l`` (SlowFast: slow and fast pathway,
    averaged), the student's feature goes through a trainable 1x1x1
    ``Conv3d`` to the teacher's channels and is resized to the teacher's
    ``(T, H, W)`` (as in :class:`FeatureKDLoss`). The ``n = T * H * W``
    positions of either map are tokens, L2-normalised over channels:
    ``s_p`` (student) and ``t_q`` (teacher). With cost ``C_pq = 1 - <s_p,
    t_q>`` (half the squared Euclidean distance of the unit tokens) and
    uniform marginals ``1/n``, the entropic plan ``P`` comes from
    ``num_iters`` log-domain Sinkhorn iterations with regularisation
    ``eps``, and ``OT_i = sum_pq P_pq C_pq``. The plan is computed without
    gradient (at the optimum the gradient of the entropic OT cost with
    respect to ``C`` is ``P``, so differentiating through the iterations is
    not needed).

    **Self-distillation term.** The target is the prediction of an
    exponential moving average (EMA) of the student's classification head,
    applied (in eval mode, without gradient) to the student's own detached
    features: a temporal ensemble of the classifier, which needs no second
    backbone pass. With ``z_s`` the student's logits and ``z_e`` the EMA
    head's (views averaged)::

        SD_i = tau**2 * KL(softmax(z_e / tau) || softmax(z_s / tau))

    The EMA head needs the student: the distiller passes ``student=`` to
    :meth:`per_sample`. Its weights are buffers of this loss (``ema_head.*``,
    checkpointed with the student, never optimised), copied from the
    student's head the first time they are needed. Each call in training
    mode with gradient enabled counts as one training step and first
    updates them, ``ema = momentum * ema + (1 - momentum) * param`` (head
    buffers, if any, are copied); calls under ``no_grad`` (SAKD scoring,
    validation) or in eval mode use them unchanged.

    The teacher's features are detached; no gradient reaches the teacher.
    All terms are computed in float32. Inputs with ``V`` views per sample
    are averaged over the views. Called as ``loss(student_feats,
    teacher_feats, student_logits=None, student=None,
    reduction_override=None)``.

    Args:
        student_channels (int | Sequence[int]): Channels of the student's
            feature levels, e.g. ``(64, 16)`` for the tiny SlowFast student.
        teacher_channels (int | Sequence[int]): Channels of the teacher's
            levels, e.g. ``(128, 64)``.
        ot_weight (float): Weight of the OT term, >= 0. Defaults to 1.0.
        self_weight (float): Weight of the self-distillation term, >= 0;
            0 drops it (and the need for ``student``). Defaults to 1.0.
        tau (float): Temperature of the self-distillation, > 0.
            Defaults to 4.0.
        eps (float): Entropic regularisation of the Sinkhorn plan, > 0.
            Defaults to 0.1.
        num_iters (int): Sinkhorn iterations, >= 1. Defaults to 50.
        momentum (float): EMA momentum, in ``[0, 1)``. Defaults to 0.999.
        **kwargs: ``loss_weight`` and ``reduction`` of
            :class:`BaseKDLoss`.
    """

    forward_args = ('student_feats', 'teacher_feats', 'student_logits',
                    'student')

    def __init__(self,
                 student_channels: Channels,
                 teacher_channels: Channels,
                 ot_weight: float = 1.0,
                 self_weight: float = 1.0,
                 tau: float = 4.0,
                 eps: float = 0.1,
                 num_iters: int = 50,
                 momentum: float = 0.999,
                 **kwargs) -> None:
        super().__init__(student_channels, teacher_channels, **kwargs)
        check_non_negative(ot_weight=ot_weight, self_weight=self_weight)
        check_positive(tau=tau, eps=eps)
        check_counts(num_iters=num_iters)
        check_range('momentum', momentum, 0, 1, high_open=True)
        self.connectors = build_connectors(self.student_channels,
                                           self.teacher_channels)
        self.ot_weight = float(ot_weight)
        self.self_weight = float(self_weight)
        self.tau = float(tau)
        self.eps = float(eps)
        self.num_iters = num_iters
        self.momentum = float(momentum)
        # Holds only buffers, created from the student's head on first use.
        self.ema_head = nn.Module()
        self.register_load_state_dict_pre_hook(_create_ema_buffers)

    @property
    def ema_initialized(self) -> bool:
        """Whether the EMA head weights exist."""
        return len(self.ema_head._buffers) > 0

    def ema_state(self) -> Dict[str, Tensor]:
        """The EMA head weights by the head's own names (not copies)."""
        return {
            name.replace(_DOT, '.'): buf
            for name, buf in self.ema_head._buffers.items()
        }

    def per_sample(self,
                   student_feats: Features,
                   teacher_feats: Features,
                   student_logits: Optional[Tensor] = None,
                   student: Optional[nn.Module] = None,
                   **kwargs) -> Tensor:
        """The DualKD loss of each sample.

        Args:
            student_feats (Tensor | Sequence[Tensor]): ``(N * V, C, T, H,
                W)`` per level.
            teacher_feats (Tensor | Sequence[Tensor]): The same levels of the
                teacher.
            student_logits (Tensor, optional): ``(N, K)``; needed by the
                self-distillation term, else only its ``N`` is used.
                Defaults to None.
            student (nn.Module, optional): The student recognizer, with a
                ``cls_head``; needed when ``self_weight > 0``.
                Defaults to None.
            **kwargs: Other inputs the distiller passes; unused.

        Returns:
            Tensor: ``(N,)`` float32.
        """
        ot = 0
        for mapped, teacher in connected_levels(
                self.connectors, *self.levels(student_feats, teacher_feats)):
            tokens_s = F.normalize(mapped.flatten(2).transpose(1, 2), dim=2)
            tokens_t = F.normalize(teacher.flatten(2).transpose(1, 2), dim=2)
            cost = 1 - tokens_s @ tokens_t.transpose(1, 2)
            ot = ot + sinkhorn_cost(cost, self.eps, self.num_iters)
        loss = self.ot_weight * average_feature_rows(ot / self.num_levels,
                                                     student_logits)
        if self.self_weight > 0:
            loss = loss + self.self_weight * self._self_distillation(
                student_feats, student_logits, student)
        return self.loss_weight * loss

    def _self_distillation(self, student_feats: Features,
                           student_logits: Optional[Tensor],
                           student: Optional[nn.Module]) -> Tensor:
        """``tau^2 KL(p_ema || p_student)`` per sample."""
        head = getattr(student, 'cls_head', None)
        if not isinstance(head, nn.Module) or student_logits is None:
            raise ValueError(
                'DualKDLoss with self_weight > 0 needs student= (a recognizer '
                'with a cls_head) and student_logits=; got student='
                f'{type(student).__name__}, student_logits='
                f'{type(student_logits).__name__}')
        if not self.ema_initialized:
            self._init_ema(head)
        elif self.training and torch.is_grad_enabled():
            self._update_ema(head)
        ema_logits = self._ema_logits(head, student_feats,
                                      student_logits.shape[0])
        return soft_kl_per_sample(student_logits, ema_logits, self.tau)

    @torch.no_grad()
    def _init_ema(self, head: nn.Module) -> None:
        for name, value in _head_tensors(head).items():
            self.ema_head.register_buffer(
                name.replace('.', _DOT),
                value.detach().clone())

    @torch.no_grad()
    def _update_ema(self, head: nn.Module) -> None:
        ema = self.ema_state()
        params = dict(head.named_parameters())
        for name, value in _head_tensors(head).items():
            if name not in ema:
                raise KeyError(f'the EMA head has no "{name}": the student\'s '
                               'head changed after the EMA was created')
            if name in params and value.is_floating_point():
                ema[name].mul_(self.momentum).add_(
                    value.detach().to(ema[name]), alpha=1 - self.momentum)
            else:
                ema[name].copy_(value)

    @torch.no_grad()
    def _ema_logits(self, head: nn.Module, student_feats: Features,
                    num_samples: int) -> Tensor:
        feats = student_feats.detach() if isinstance(
            student_feats, Tensor) else tuple(f.detach()
                                              for f in student_feats)
        modes = [(module, module.training) for module in head.modules()]
        # Eval mode: no dropout in the target, BN (if any) uses EMA stats.
        head.eval()
        try:
            logits = functional_call(head, self.ema_state(), (feats, ))
        finally:
            for module, training in modes:
                module.training = training
        return average_views(logits, num_samples, 'rows of EMA logits')


def sinkhorn_cost(cost: Tensor, eps: float, num_iters: int) -> Tensor:
    """Entropic OT cost ``<P, C>`` of each ``(n, m)`` cost matrix of a
    ``(B, n, m)`` batch, with uniform marginals and the plan ``P`` from
    ``num_iters`` log-domain Sinkhorn iterations (no gradient through
    ``P``)."""
    with torch.no_grad():
        c = cost.detach().float()
        _, n, m = c.shape
        log_a, log_b = -math.log(n), -math.log(m)
        f = c.new_zeros(c.shape[:2])
        g = c.new_zeros(c.shape[0], m)
        for _ in range(num_iters):
            f = eps * (log_a - torch.logsumexp((g[:, None, :] - c) / eps, 2))
            g = eps * (log_b - torch.logsumexp((f[:, :, None] - c) / eps, 1))
        plan = torch.exp((f[:, :, None] + g[:, None, :] - c) / eps)
    return (plan * cost.float()).sum(dim=(1, 2))


def _head_tensors(head: nn.Module) -> Dict[str, Tensor]:
    tensors = dict(head.named_parameters())
    tensors.update(head.named_buffers())
    return tensors


def _create_ema_buffers(module: DualKDLoss, state_dict: dict, prefix: str,
                        local_metadata: dict, strict: bool,
                        missing_keys: List[str], unexpected_keys: List[str],
                        error_msgs: List[str]) -> None:
    """Load-state-dict pre-hook: the EMA buffers are created lazily, so a
    checkpoint that has them (resume) must create them before loading."""
    ema_prefix = prefix + 'ema_head.'
    # Where the model is now, not where the checkpoint was mapped to.
    device = next(module.connectors.parameters()).device
    for key, value in state_dict.items():
        if key.startswith(ema_prefix):
            name = key[len(ema_prefix):]
            if name not in module.ema_head._buffers:
                module.ema_head.register_buffer(
                    name, torch.empty_like(value, device=device))
