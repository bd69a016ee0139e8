"""Cross-head knowledge distillation (Wang et al., CVPR 2024), adapted to
action recognition."""
from typing import Optional

from torch import Tensor, nn
from torch.func import functional_call

from mmsakd.registry import MODELS
from ..utils import Features, average_views
from .base_kd_loss import BaseKDLoss
from .utils import (Channels, build_connectors, check_channel_pairs,
                    check_positive, soft_kl_per_sample)


@MODELS.register_module()
class CrossKDLoss(BaseKDLoss):
    """Distillation of the teacher head's predictions on the student's
    features.

    Wang et al., "CrossKD: Cross-Head Knowledge Distillation for Object
    Detection" (CVPR 2024), with the teacher's classification head in place
    of the detection head. The student's features ``f_s`` (backbone, or
    neck if any) are mapped to the teacher's channels by a trainable
    connector ``c`` and fed to the teacher's frozen ``cls_head`` ``h_t``::

        z_x = h_t(c(f_s))                    # cross-head logits
        CrossKD = loss_weight * tau**2 * KL(softmax(z_t / tau) ||
                                             softmax(z_x / tau))

    with ``z_t`` the teacher's logits. The gradient flows through ``h_t``'s
    operations into the connector and the student; ``h_t``'s parameters and
    buffers are used detached, so they never get a gradient (the authors'
    detector code runs this branch under ``no_grad``; here it is the path of
    the distillation gradient). The views of a sample are averaged like the
    distiller's logits. ``tau=4`` as in the other logit losses of mmsakd.

    The head comes from the ``teacher`` recognizer that
    :class:`SAKDDistiller` passes to :meth:`per_sample` on every call; the
    loss keeps no reference to it, so the teacher is neither a submodule
    (not optimised, not checkpointed) nor put in train mode. It runs in the
    teacher's mode, which the distiller keeps at eval (no dropout). The
    head is called with the features only, so heads that need more
    arguments (e.g. ``TSNHead``'s ``num_segs``) are not supported.

    Connectors: for each feature tensor (one, or SlowFast's ``(slow,
    fast)``), a ``1x1(x1)`` convolution from ``student_channels`` to
    ``teacher_channels``, or the identity where they are equal. They are
    built here, before the optimizer is, and trained with the student.

    Called as ``loss(student_feats, teacher_logits, teacher,
    reduction_override=None)``.

    Args:
        student_channels (int | Sequence[int]): Channels of the student's
            feature tensor(s), e.g. ``(64, 16)`` for the tiny SlowFast.
        teacher_channels (int | Sequence[int]): The channels the teacher's
            head expects, same length, e.g. ``(128, 64)``.
        spatial_dims (int): 3 for ``(N, C, T, H, W)`` features (3D
            backbones), 2 for ``(N, C, H, W)`` (2D ones). Defaults to 3.
        tau (float): Temperature, > 0. Defaults to 4.0.
        **kwargs: ``loss_weight`` and ``reduction`` of
            :class:`BaseKDLoss`.
    """

    forward_args = ('student_feats', 'teacher_logits', 'teacher')

    def __init__(self,
                 student_channels: Channels,
                 teacher_channels: Channels,
                 spatial_dims: int = 3,
                 tau: float = 4.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        student, teacher = check_channel_pairs(student_channels,
                                               teacher_channels)
        if spatial_dims not in (2, 3):
            raise ValueError(
                f'spatial_dims must be 2 or 3, got {spatial_dims!r}')
        check_positive(tau=tau)
        self.tau = float(tau)
        self.student_channels = student
        self.teacher_channels = teacher
        # A bare int means one feature tensor, not a tuple of one.
        self._tuple_feats = not isinstance(student_channels, int)
        self.connectors = build_connectors(
            student,
            teacher,
            conv=nn.Conv3d if spatial_dims == 3 else nn.Conv2d,
            identity_if_equal=True)

    def cross_logits(self, student_feats: Features,
                     teacher: nn.Module) -> Tensor:
        """The teacher head's logits on the connected student features.

        Args:
            student_feats (Tensor | tuple[Tensor]): The student's features,
                views folded into the batch.
            teacher (nn.Module): The teacher recognizer (with ``cls_head``)
                or its head itself.

        Returns:
            Tensor: ``(N * V, K)``, one row per view.
        """
        head = getattr(teacher, 'cls_head', teacher)
        feats = (student_feats, ) if isinstance(student_feats,
                                                Tensor) else student_feats
        if len(feats) != len(self.connectors):
            raise ValueError(
                f'got {len(feats)} student feature tensor(s), but '
                f'student_channels={self.student_channels!r} sets '
                f'{len(self.connectors)}')
        mapped = []
        for feat, connector, channels in zip(feats, self.connectors,
                                             self.student_channels):
            if feat.dim() < 2 or feat.shape[1] != channels:
                raise ValueError(
                    f'a student feature tensor of shape {tuple(feat.shape)} '
                    f'does not have student_channels={channels} channels')
            mapped.append(connector(feat))
        head_input = tuple(mapped) if self._tuple_feats else mapped[0]
        # Detached copies of the head's tensors: the ops stay on the
        # gradient path, the teacher's parameters get none.
        frozen = {
            name: value.detach()
            for name, value in list(head.named_parameters()) +
            list(head.named_buffers())
        }
        return functional_call(head, frozen, (head_input, ))

    def per_sample(self,
                   student_feats: Features,
                   teacher_logits: Tensor,
                   teacher: Optional[nn.Module] = None,
                   **kwargs) -> Tensor:
        """The CrossKD loss of each sample.

        Args:
            student_feats (Tensor | tuple[Tensor]): The student's features,
                ``(N * V, C, ...)`` each.
            teacher_logits (Tensor): ``(N, K)``, views averaged.
            teacher (nn.Module): The teacher recognizer, or its head.
                Required; :class:`SAKDDistiller` passes it.
            **kwargs: Other inputs the distiller passes; unused.

        Returns:
            Tensor: ``(N,)`` float32.
        """
        if teacher is None:
            raise ValueError(
                'CrossKDLoss needs the teacher (its cls_head runs on the '
                'student features), got teacher=None; use it with '
                'SAKDDistiller, which passes teacher=')
        if teacher_logits.dim() != 2:
            raise ValueError('teacher_logits must have shape (N, K), got '
                             f'{tuple(teacher_logits.shape)}')
        cross = average_views(
            self.cross_logits(student_feats, teacher), teacher_logits.shape[0],
            'rows of cross-head logits')
        if cross.shape != teacher_logits.shape:
            raise ValueError(
                f'the teacher head gives logits of shape {tuple(cross.shape)} '
                f'but teacher_logits have shape {tuple(teacher_logits.shape)}')
        return self.loss_weight * soft_kl_per_sample(cross, teacher_logits,
                                                     self.tau)
