"""The interface between :class:`SAKDDistiller` and a knowledge-distillation
loss."""
from abc import ABCMeta, abstractmethod
from typing import Optional

import torch.nn.functional as F
from torch import Tensor, nn

REDUCTIONS = ('none', 'mean', 'sum')


class BaseKDLoss(nn.Module, metaclass=ABCMeta):
    """Base class of the per-sample distillation losses.

    SAKD needs the distillation loss of every sample separately: the scoring
    pass ranks samples by it (spec Eq. 3) and the training loss weights it by
    each sample's ``alpha`` (spec Eq. 9). A subclass therefore implements
    :meth:`per_sample`, which returns one value per sample, and the distiller
    calls it with keyword arguments only:

    - ``student_logits`` (Tensor): ``(N, K)``, with gradient; the views of a
      sample (``num_clips * num_crops``) are averaged.
    - ``teacher_logits`` (Tensor): ``(N, K)``, computed under ``no_grad``.
    - ``student_feats``, ``teacher_feats`` (Tensor | tuple[Tensor]): the
      outputs of the recognizers' ``extract_feat`` (backbone, or neck if
      any), views folded into the batch as ``(N * V, ...)``; a tuple for
      SlowFast (slow, fast).
    - ``labels`` (Tensor, optional): ``(N,)`` class indices or ``(N, K)``
      soft labels; None when the distiller scores unlabelled clips.

    A loss takes the arguments it needs and accepts the rest through
    ``**kwargs``, so that the distiller can pass more of them later (e.g.
    feature-based KD or DKD use features or labels). Learnable parts of a
    loss (e.g. feature adapters) are submodules of the distiller and are
    trained with the student.

    Args:
        loss_weight (float): Factor of the loss, >= 0. Defaults to 1.0.
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'`` over samples,
            used by :meth:`forward`. Defaults to ``'mean'``.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean') -> None:
        super().__init__()
        if not is_number(loss_weight) or not loss_weight >= 0:
            raise ValueError(
                f'loss_weight must be a number >= 0, got {loss_weight!r}')
        _check_reduction(reduction, 'reduction')
        self.loss_weight = float(loss_weight)
        self.reduction = reduction

    @abstractmethod
    def per_sample(self, **kwargs) -> Tensor:
        """The loss of each sample, ``(N,)``, already multiplied by
        ``loss_weight``."""

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


def is_number(value) -> bool:
    """Whether ``value`` is an int or float (bools excluded)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_reduction(value: str, name: str) -> None:
    if value not in REDUCTIONS:
        raise ValueError(f'{name} must be one of {REDUCTIONS}, got {value!r}')


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
