"""Feature distillation with a trainable connector (spec Eq. 1, FitNets)."""
from typing import Optional, Sequence, Tuple, Union

import torch.nn.functional as F
from torch import Tensor, nn

from mmsakd.registry import MODELS
from .base_kd_loss import BaseKDLoss

Channels = Union[int, Sequence[int]]
Features = Union[Tensor, Sequence[Tensor]]


@MODELS.register_module()
class FeatureKDLoss(BaseKDLoss):
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
    the student. Features are upcast to float32.

    Args:
        student_channels (int | Sequence[int]): Channels of the student's
            feature levels, e.g. ``(64, 16)`` (slow, fast) for the tiny
            SlowFast student.
        teacher_channels (int | Sequence[int]): Channels of the teacher's
            levels, as many as the student's, e.g. ``(128, 64)``.
        loss_weight (float): Factor of the loss, >= 0. Defaults to 1.0.
        reduction (str): ``'none'`` (one value per sample), ``'mean'`` or
            ``'sum'`` over samples. Defaults to ``'mean'``.
    """

    def __init__(self,
                 student_channels: Channels,
                 teacher_channels: Channels,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean') -> None:
        super().__init__(loss_weight=loss_weight, reduction=reduction)
        self.student_channels, self.teacher_channels = check_channel_pairs(
            student_channels, teacher_channels)
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
        students, teachers = to_levels(student_feats, teacher_feats,
                                       len(self.connectors))
        total = 0
        for connector, student, teacher in zip(self.connectors, students,
                                               teachers):
            mapped = resize_to(connector(student.float()), teacher.shape[2:])
            diff = mapped - teacher.detach().float()
            total = total + diff.pow(2).flatten(1).mean(dim=1)
        per_row = total / len(self.connectors)
        return self.loss_weight * average_views(per_row, student_logits)

    def forward(self,
                student_feats: Features,
                teacher_feats: Features,
                reduction_override: Optional[str] = None) -> Tensor:
        """Compute the loss.

        Args:
            student_feats (Tensor | Sequence[Tensor]): Student features.
            teacher_feats (Tensor | Sequence[Tensor]): Teacher features.
            reduction_override (str, optional): Replaces ``reduction`` for
                this call. Defaults to None.

        Returns:
            Tensor: ``(N,)`` for ``'none'``, else a scalar.
        """
        return self.reduce(
            self.per_sample(student_feats, teacher_feats), reduction_override)


def check_channel_pairs(student_channels: Channels, teacher_channels: Channels
                        ) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """Both as tuples of positive ints of the same length."""
    student = _channel_tuple(student_channels, 'student_channels')
    teacher = _channel_tuple(teacher_channels, 'teacher_channels')
    if len(student) != len(teacher):
        raise ValueError(
            'student_channels and teacher_channels must name the same number '
            f'of feature levels, got {student} and {teacher}')
    return student, teacher


def _channel_tuple(value: Channels, name: str) -> Tuple[int, ...]:
    values = (value, ) if isinstance(value, int) else tuple(value)
    if not values or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0
            for v in values):
        raise ValueError(f'{name} must be a positive int or a non-empty '
                         f'sequence of positive ints, got {value!r}')
    return values


def build_connectors(student_channels: Sequence[int],
                     teacher_channels: Sequence[int]) -> nn.ModuleList:
    """One 1x1x1 ``Conv3d`` per level, student to teacher channels."""
    return nn.ModuleList(
        nn.Conv3d(s, t, kernel_size=1)
        for s, t in zip(student_channels, teacher_channels))


def to_levels(student_feats: Features, teacher_feats: Features, num_levels: int
              ) -> Tuple[Tuple[Tensor, ...], Tuple[Tensor, ...]]:
    """Student and teacher features as tuples of ``num_levels`` 5-D tensors
    with the same number of rows."""
    levels = []
    for feats, name in ((student_feats, 'student_feats'), (teacher_feats,
                                                           'teacher_feats')):
        feats = (feats, ) if isinstance(feats, Tensor) else tuple(feats)
        if len(feats) != num_levels:
            raise ValueError(f'{name} must have {num_levels} feature '
                             f'level(s) (one per channel entry), got '
                             f'{len(feats)}')
        for feat in feats:
            if not isinstance(feat, Tensor) or feat.dim() != 5:
                raise ValueError(f'{name} must be (N * V, C, T, H, W) '
                                 'tensors, got '
                                 f'{getattr(feat, "shape", type(feat))}')
        levels.append(feats)
    for student, teacher in zip(*levels):
        if student.shape[0] != teacher.shape[0]:
            raise ValueError('student_feats and teacher_feats must have the '
                             f'same rows, got {student.shape[0]} and '
                             f'{teacher.shape[0]}')
    return levels[0], levels[1]


def resize_to(feat: Tensor, size: Sequence[int]) -> Tensor:
    """Resize ``(R, C, T, H, W)`` to ``size = (T', H', W')``."""
    size = tuple(int(s) for s in size)
    if tuple(feat.shape[2:]) == size:
        return feat
    # Pooling where the map shrinks: interpolation would skip positions.
    if all(s >= t for s, t in zip(feat.shape[2:], size)):
        return F.adaptive_avg_pool3d(feat, size)
    return F.interpolate(
        feat, size=size, mode='trilinear', align_corners=False)


def average_views(per_row: Tensor, logits: Optional[Tensor]) -> Tensor:
    """``(N * V,)`` values to ``(N,)``: the mean over each sample's views,
    folded into the batch sample-major; ``N`` is ``logits.shape[0]``."""
    if logits is None or logits.shape[0] == per_row.shape[0]:
        return per_row
    num_samples = logits.shape[0]
    if num_samples == 0 or per_row.shape[0] % num_samples:
        raise ValueError(f'{per_row.shape[0]} feature rows for '
                         f'{num_samples} samples')
    return per_row.view(num_samples, -1).mean(dim=1)
