"""Feature distillation with a trainable connector (Eq. 1,
docs/method.md#training-loss; FitNets)."""
from typing import Optional

from torch import Tensor

from mmsakd.registry import MODELS
from ..utils import Features
from .base_kd_loss import BaseFeatureKDLoss
from .utils import (Channels, average_feature_rows, build_connectors,
                    connected_levels)


@MODELS.register_module()
class FeatureKDLoss(BaseFeatureKDLoss):
    """Mean squared error between the teacher's features and the student's
    features mapped to the teacher's shape.

    Romero et al., "FitNets: Hints for Thin Deep Nets" (ICLR 2015); the
    feature-based form of the SAKD paper (Eq. 1)::

        L_kd^fea = 1/N sum_i || f(F_i^T) - f(F_i^S) ||_2^2

    Here ``f`` is the identity for the teacher and a trainable connector for
    the student: per feature level ``l``, a 1x1x1 ``Conv3d`` from the
    student's to the teacher's channels, then a resize to the teacher's
    ``(T, H, W)`` (:func:`resize_to`: adaptive average pooling where the
    student's map is at least as large in every dimension, trilinear
    interpolation otherwise). For a sample ``i`` with ``L`` levels::

        FKD_i = loss_weight / L * sum_l mean_{c,t,h,w}
                (g_l(F_{i,l}^S) - F_{i,l}^T)^2

    i.e. the squared norm of Eq. 1 divided by the number of elements (so
    that the value does not scale with the feature size) and averaged over
    the levels (SlowFast: the slow and the fast pathway). Inputs with ``V``
    views per sample (``N * V`` feature rows) are averaged over the views.
    The teacher's features are detached; the connector is a submodule of
    the loss, hence of the distiller, and is trained and checkpointed with
    the student. Features are upcast to float32. Called as
    ``loss(student_feats, teacher_feats, reduction_override=None)``.

    Args:
        student_channels (int | Sequence[int]): Channels of the student's
            feature levels, e.g. ``(64, 16)`` (slow, fast) for the tiny
            SlowFast student.
        teacher_channels (int | Sequence[int]): Channels of the teacher's
            levels, as many as the student's, e.g. ``(128, 64)``.
        **kwargs: ``loss_weight`` and ``reduction`` of
            :class:`BaseKDLoss`.
    """

    def __init__(self, student_channels: Channels, teacher_channels: Channels,
                 **kwargs) -> None:
        super().__init__(student_channels, teacher_channels, **kwargs)
        self.connectors = build_connectors(self.student_channels,
                                           self.teacher_channels)

    def per_sample(self,
                   student_feats: Features,
                   teacher_feats: Features,
                   student_logits: Optional[Tensor] = None,
                   **kwargs) -> Tensor:
        """The feature KD loss of each sample.

        Args:
            student_feats (Tensor | Sequence[Tensor]): ``(N * V, C, T, H,
                W)`` per level.
            teacher_feats (Tensor | Sequence[Tensor]): The same levels of the
                teacher.
            student_logits (Tensor, optional): ``(N, K)``; only its ``N`` is
                used, to average the ``V`` views. None means ``V = 1``.
                Defaults to None.
            **kwargs: Other inputs the distiller passes; unused.

        Returns:
            Tensor: ``(N,)`` float32.
        """
        total = 0
        for mapped, teacher in connected_levels(
                self.connectors, *self.levels(student_feats, teacher_feats)):
            total = total + (mapped - teacher).pow(2).flatten(1).mean(dim=1)
        per_row = total / self.num_levels
        return self.loss_weight * average_feature_rows(per_row, student_logits)
