"""Helpers shared by the KD losses: argument checks, the soft-label KL
term, view averaging of feature rows, feature levels, connectors and
resizing."""
from typing import Iterator, Optional, Sequence, Tuple, Type, Union

import torch.nn.functional as F
from torch import Tensor, nn

from ..utils import Features, average_views, is_int, is_number

#: Channels of one feature level, or of several (SlowFast: slow, fast).
Channels = Union[int, Sequence[int]]


def check_positive(**values) -> None:
    """Raise a ValueError naming the first of ``values`` (keyword
    arguments, name to value) that is not a number > 0."""
    for name, value in values.items():
        if not is_number(value) or not value > 0:
            raise ValueError(f'{name} must be a number > 0, got {value!r}')


def check_non_negative(**values) -> None:
    """Raise a ValueError naming the first of ``values`` (keyword
    arguments, name to value) that is not a number >= 0."""
    for name, value in values.items():
        if not is_number(value) or not value >= 0:
            raise ValueError(f'{name} must be a number >= 0, got {value!r}')


def check_counts(**values) -> None:
    """Raise a ValueError naming the first of ``values`` (keyword
    arguments, name to value) that is not an int >= 1 (bools excluded)."""
    for name, value in values.items():
        if not is_int(value) or value < 1:
            raise ValueError(f'{name} must be an integer >= 1, got {value!r}')


def check_logit_pair(student_logits: Tensor, teacher_logits: Tensor) -> None:
    """Raise a ValueError unless both are ``(N, K)`` of the same shape."""
    if student_logits.dim() != 2 or \
            student_logits.shape != teacher_logits.shape:
        raise ValueError(
            'student_logits and teacher_logits must both have shape (N, K), '
            f'got {tuple(student_logits.shape)} and '
            f'{tuple(teacher_logits.shape)}')


def soft_kl_per_sample(student_logits: Tensor, target_logits: Tensor,
                       tau) -> Tensor:
    """``tau^2 * KL(softmax(target / tau) || softmax(student / tau))`` per
    sample, the logit-distillation term shared by the KD losses.

    Computed in float32 log space; the target is detached.

    Args:
        student_logits (Tensor): ``(N, K)``.
        target_logits (Tensor): ``(N, K)``, e.g. the teacher's.
        tau (float | Tensor): Temperature, > 0.

    Returns:
        Tensor: ``(N,)``.
    """
    log_p_s = F.log_softmax(student_logits.float() / tau, dim=1)
    log_p_t = F.log_softmax(target_logits.detach().float() / tau, dim=1)
    kl = F.kl_div(log_p_s, log_p_t, reduction='none', log_target=True)
    return tau**2 * kl.sum(dim=1)


def average_feature_rows(per_row: Tensor,
                         student_logits: Optional[Tensor]) -> Tensor:
    """``(N * V,)`` values of feature rows to ``(N,)``, the mean over each
    sample's views; ``N`` is ``student_logits.shape[0]``, and None means one
    view per sample."""
    num_samples = None if student_logits is None else student_logits.shape[0]
    return average_views(per_row, num_samples, 'feature rows')


def channel_tuple(channels: Channels, name: str) -> Tuple[int, ...]:
    """``channels`` as a non-empty tuple of positive ints.

    Args:
        channels (int | Sequence[int]): One level's channels, or several.
        name (str): The argument's name, for the error message.

    Returns:
        tuple[int, ...]: One entry per feature level.
    """
    values = (channels, ) if isinstance(channels, int) else channels
    try:
        values = tuple(values)
    except TypeError:
        values = ()
    if not values or not all(is_int(c) and c > 0 for c in values):
        raise ValueError(f'{name} must be a positive int or a non-empty '
                         f'sequence of positive ints, got {channels!r}')
    return values


def check_channel_pairs(student_channels: Channels, teacher_channels: Channels
                        ) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """Both as tuples of positive ints of the same length (one entry per
    feature level)."""
    student = channel_tuple(student_channels, 'student_channels')
    teacher = channel_tuple(teacher_channels, 'teacher_channels')
    if len(student) != len(teacher):
        raise ValueError(
            'student_channels and teacher_channels must have the same length '
            '(name the same number of feature levels), got '
            f'{student_channels!r} and {teacher_channels!r}')
    return student, teacher


def build_connectors(student_channels: Sequence[int],
                     teacher_channels: Sequence[int],
                     conv: Type[nn.Module] = nn.Conv3d,
                     identity_if_equal: bool = False) -> nn.ModuleList:
    """One 1x1(x1) convolution per level, student to teacher channels.

    Args:
        student_channels (Sequence[int]): Channels of the student's levels.
        teacher_channels (Sequence[int]): Channels of the teacher's levels.
        conv (type): ``nn.Conv3d`` for ``(N, C, T, H, W)`` features,
            ``nn.Conv2d`` for ``(N, C, H, W)``. Defaults to ``nn.Conv3d``.
        identity_if_equal (bool): ``nn.Identity`` for levels whose channels
            are equal. Defaults to False.

    Returns:
        nn.ModuleList: The connectors.
    """
    return nn.ModuleList(nn.Identity(
    ) if identity_if_equal and s == t else conv(s, t, kernel_size=1)
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


def connected_levels(connectors: Sequence[nn.Module],
                     student_levels: Sequence[Tensor],
                     teacher_levels: Sequence[Tensor]
                     ) -> Iterator[Tuple[Tensor, Tensor]]:
    """Per level, the student's feature through its connector (float32)
    and resized to the teacher's ``(T, H, W)`` (:func:`resize_to`), and the
    teacher's feature, detached and float32.

    Args:
        connectors (Sequence[nn.Module]): One per level, student to teacher
            channels (:func:`build_connectors`).
        student_levels (Sequence[Tensor]): ``(R, C_s, T, H, W)`` per level.
        teacher_levels (Sequence[Tensor]): ``(R, C_t, T', H', W')`` per
            level.

    Yields:
        tuple[Tensor, Tensor]: ``(R, C_t, T', H', W')`` each.
    """
    for connector, student, teacher in zip(connectors, student_levels,
                                           teacher_levels):
        mapped = resize_to(connector(student.float()), teacher.shape[2:])
        yield mapped, teacher.detach().float()


def resize_to(feat: Tensor, size: Sequence[int]) -> Tensor:
    """Resize ``(R, C, T, H, W)`` to ``size = (T', H', W')``: adaptive
    average pooling where the map is at least as large in every dimension,
    trilinear interpolation otherwise."""
    size = tuple(int(s) for s in size)
    if tuple(feat.shape[2:]) == size:
        return feat
    # Pooling where the map shrinks: interpolation would skip positions.
    if all(s >= t for s, t in zip(feat.shape[2:], size)):
        return F.adaptive_avg_pool3d(feat, size)
    return F.interpolate(
        feat, size=size, mode='trilinear', align_corners=False)
