"""Logit distillation of Hinton et al. (Eq. 2,
docs/method.md#training-loss)."""
from torch import Tensor

from mmsakd.registry import MODELS
from .base_kd_loss import BaseKDLoss
from .utils import check_logit_pair, check_positive, soft_kl_per_sample


@MODELS.register_module()
class KDLoss(BaseKDLoss):
    """Temperature-scaled KL divergence between teacher and student
    predictions.

    Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural Network"
    (NIPS Deep Learning Workshop, 2015); Eq. 2
    (docs/method.md#training-loss). For a sample with
    student logits ``s`` and teacher logits ``t``::

        KD = loss_weight * tau**2 * sum_k p_t[k] * (log p_t[k] - log p_s[k])

    with ``p_t = softmax(t / tau)`` and ``p_s = softmax(s / tau)``. The
    ``tau**2`` factor keeps the gradient scale independent of ``tau``. The
    teacher logits are detached: no gradient reaches the teacher. Logits are
    upcast to float32, so the loss is stable under mixed precision. Called
    as ``loss(student_logits, teacher_logits, reduction_override=None)``.

    Args:
        tau (float): Temperature, > 0. Defaults to 4.0.
        **kwargs: ``loss_weight`` and ``reduction`` of
            :class:`BaseKDLoss`.
    """

    teacher_logits_only = True

    def __init__(self, tau: float = 4.0, **kwargs) -> None:
        super().__init__(**kwargs)
        check_positive(tau=tau)
        self.tau = float(tau)

    def per_sample(self, student_logits: Tensor, teacher_logits: Tensor,
                   **kwargs) -> Tensor:
        """The KD loss of each sample.

        Args:
            student_logits (Tensor): ``(N, K)``.
            teacher_logits (Tensor): ``(N, K)``.
            **kwargs: Other inputs the distiller passes (features, labels);
                unused.

        Returns:
            Tensor: ``(N,)`` float32.
        """
        check_logit_pair(student_logits, teacher_logits)
        return self.loss_weight * soft_kl_per_sample(student_logits,
                                                     teacher_logits, self.tau)
