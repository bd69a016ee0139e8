"""The interface between :class:`SAKDDistiller` and a knowledge-distillation
loss, and the base of the losses on feature levels."""
from abc import ABCMeta, abstractmethod
from typing import Optional, Tuple

from torch import Tensor, nn

from ..utils import Features
from .utils import Channels, check_channel_pairs, check_non_negative, to_levels

REDUCTIONS = ('none', 'mean', 'sum')


class BaseKDLoss(nn.Module, metaclass=ABCMeta):
    """Base class of the per-sample distillation losses.

    SAKD needs the distillation loss of every sample separately: the scoring
    pass ranks samples by it (Eq. 3, docs/method.md#difficulty) and the
    training loss weights it by each sample's ``alpha`` (Eq. 9,
    docs/method.md#training-loss). A subclass therefore implements
    :meth:`per_sample`, which returns one value per sample, and the
    distiller calls it with keyword arguments only:

    - ``student_logits`` (Tensor): ``(N, K)``, with gradient; the views of a
      sample (``num_clips * num_crops``) are averaged.
    - ``teacher_logits`` (Tensor): ``(N, K)``, computed under ``no_grad``.
    - ``student_feats``, ``teacher_feats`` (Tensor | tuple[Tensor]): the
      outputs of the recognizers' ``extract_feat`` (backbone, or neck if
      any), views folded into the batch as ``(N * V, ...)``; a tuple for
      SlowFast (slow, fast).
    - ``labels`` (Tensor, optional): ``(N,)`` class indices or ``(N, K)``
      soft labels; None when the distiller scores unlabelled clips.
    - ``teacher``, ``student`` (nn.Module): the recognizers, for losses that
      run parts of them (CrossKD's teacher head, DualKD's EMA head).

    A loss takes the arguments it needs and accepts the rest through
    ``**kwargs``, so that the distiller can pass more of them later.
    Learnable parts of a loss (e.g. feature adapters) are submodules of the
    distiller and are trained with the student.

    Called directly, as other OpenMMLab losses are, a loss takes the
    arguments named by :attr:`forward_args` in that order, then an optional
    ``reduction_override`` (see :meth:`forward`); a subclass sets
    ``forward_args`` instead of writing ``forward``.

    Args:
        loss_weight (float): Factor of the loss, >= 0. Defaults to 1.0.
        reduction (str): ``'none'`` (one value per sample), ``'mean'`` or
            ``'sum'`` over samples, used by :meth:`forward`.
            Defaults to ``'mean'``.
    """

    #: The positional arguments of :meth:`forward`, in order: the names of
    #: :meth:`per_sample` arguments that they are passed as.
    forward_args: Tuple[str, ...] = ('student_logits', 'teacher_logits')
    #: Whether :meth:`per_sample` reads nothing of the teacher but
    #: ``teacher_logits``, so that the distiller may take them from a
    #: :class:`~mmsakd.models.utils.TeacherOutputCache` and pass
    #: ``teacher_feats=None`` (docs/method.md#teacher-output-cache).
    teacher_logits_only: bool = False

    def __init__(self,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean') -> None:
        super().__init__()
        check_non_negative(loss_weight=loss_weight)
        _check_reduction(reduction, 'reduction')
        self.loss_weight = float(loss_weight)
        self.reduction = reduction

    @abstractmethod
    def per_sample(self, **kwargs) -> Tensor:
        """The loss of each sample, ``(N,)``, already multiplied by
        ``loss_weight``."""

    def forward(self, *args, **kwargs) -> Tensor:
        """Compute the loss: :meth:`per_sample` reduced over the samples.

        Positional arguments are passed to :meth:`per_sample` under the
        names of :attr:`forward_args`, e.g. ``loss(student_logits,
        teacher_logits)`` for :class:`KDLoss`; one more positional argument
        is ``reduction_override``. Keyword arguments are passed on as they
        are, except ``reduction_override``.

        Args:
            *args: The values of :attr:`forward_args`, then optionally
                ``reduction_override``.
            **kwargs: More inputs of :meth:`per_sample`, and
                ``reduction_override`` (str, optional): Replaces
                ``reduction`` for this call.

        Returns:
            Tensor: ``(N,)`` for ``'none'``, else a scalar.
        """
        names = tuple(self.forward_args)
        name = type(self).__name__
        if len(args) > len(names) + 1:
            raise TypeError(
                f'{name}.forward takes at most {len(names) + 1} positional '
                f'arguments ({", ".join(names + ("reduction_override", ))}),'
                f' got {len(args)}')
        if len(args) == len(names) + 1:
            if 'reduction_override' in kwargs:
                raise TypeError(f'{name}.forward got multiple values for '
                                "argument 'reduction_override'")
            kwargs['reduction_override'] = args[-1]
            args = args[:-1]
        reduction_override = kwargs.pop('reduction_override', None)
        for arg_name, value in zip(names, args):
            if arg_name in kwargs:
                raise TypeError(f'{name}.forward got multiple values for '
                                f'argument {arg_name!r}')
            kwargs[arg_name] = value
        return self.reduce(self.per_sample(**kwargs), reduction_override)

    def reduce(self,
               loss: Tensor,
               reduction_override: Optional[str] = None) -> Tensor:
        """Reduce per-sample values by ``reduction_override`` or, if None,
        by ``self.reduction``."""
        reduction = self.reduction
        if reduction_override is not None:
            _check_reduction(reduction_override, 'reduction_override')
            reduction = reduction_override
        if reduction == 'mean':
            return loss.mean()
        if reduction == 'sum':
            return loss.sum()
        return loss


class BaseFeatureKDLoss(BaseKDLoss):
    """Base class of the losses between the student's and the teacher's
    feature levels.

    A level is one ``(N * V, C, T, H, W)`` feature tensor of
    ``extract_feat``; SlowFast has two (slow, fast), other recognizers one.
    The constructor checks the channels of the levels and keeps them as
    tuples, :attr:`student_channels` and :attr:`teacher_channels`;
    :meth:`levels` checks the features of a call against them. Called as
    ``loss(student_feats, teacher_feats, reduction_override=None)`` unless a
    subclass sets other :attr:`forward_args`.

    Args:
        student_channels (int | Sequence[int]): Channels of the student's
            feature levels, e.g. ``(64, 16)`` (slow, fast) for the tiny
            SlowFast student.
        teacher_channels (int | Sequence[int]): Channels of the teacher's
            levels, as many as the student's, e.g. ``(128, 64)``.
        **kwargs: ``loss_weight`` and ``reduction`` of :class:`BaseKDLoss`.
    """

    forward_args = ('student_feats', 'teacher_feats')

    def __init__(self, student_channels: Channels, teacher_channels: Channels,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.student_channels, self.teacher_channels = check_channel_pairs(
            student_channels, teacher_channels)

    @property
    def num_levels(self) -> int:
        """The number of feature levels."""
        return len(self.student_channels)

    def levels(self, student_feats: Features, teacher_feats: Features
               ) -> Tuple[Tuple[Tensor, ...], Tuple[Tensor, ...]]:
        """The student's and the teacher's features as tuples of
        :attr:`num_levels` 5-D tensors with the same number of rows.

        Args:
            student_feats (Tensor | Sequence[Tensor]): ``(N * V, C, T, H,
                W)`` per level.
            teacher_feats (Tensor | Sequence[Tensor]): The same levels of
                the teacher.

        Returns:
            tuple[tuple[Tensor, ...], tuple[Tensor, ...]]: Student's and
            teacher's levels.
        """
        return to_levels(student_feats, teacher_feats, self.num_levels)


def _check_reduction(value: str, name: str) -> None:
    if value not in REDUCTIONS:
        raise ValueError(f'{name} must be one of {REDUCTIONS}, got {value!r}')
