"""Per-sample tables of a distiller, by dataset index: the KD strength
``alpha_j`` and loss weight ``w_j`` of Eq. 9 (docs/method.md#training-loss)
and the last batch's per-sample losses; the distiller interface over them
(:class:`SampleTablesMixin`)."""
from typing import Dict, Optional

import torch
from mmaction.utils import SampleList
from torch import Tensor

from mmsakd.selection.checks import check_range
from ..utils import check_sample_vector, sample_indices


class SampleTables:
    """The per-sample ``alpha_j`` and ``w_j`` of a training set, read for a
    batch by its samples' dataset indices (``sample_idx`` in the data
    samples' metainfo), and the batch's per-sample losses for hooks.

    Until :meth:`set_alpha` gets a vector, every sample has the constant
    ``default_alpha``; until :meth:`set_weight` gets one, there is no
    weight (``batch_weight`` returns None: the unweighted code path).

    Args:
        alpha (float): The constant ``alpha`` of every sample while no
            per-sample values are set, in ``[0, 1]``.
    """

    def __init__(self, alpha: float) -> None:
        check_range('alpha', alpha, 0, 1)
        self.default_alpha = float(alpha)
        self._alpha: Optional[Tensor] = None
        self._weight: Optional[Tensor] = None
        #: Written by :meth:`record_losses`: dict(sample_idx=(N,) int64,
        #: loss=(N,) float32, kd=(N,) float32), or None.
        self.last_losses: Optional[Dict[str, Tensor]] = None

    @property
    def alpha(self) -> Optional[Tensor]:
        """A copy of the per-sample ``alpha`` set by :meth:`set_alpha`, or
        None."""
        if self._alpha is None:
            return None
        return self._alpha.clone()

    def set_alpha(self, alpha: Optional[Tensor]) -> None:
        """Set the KD weight of every training sample (Eq. 6,
        docs/method.md#distillation-strength); None returns to
        ``default_alpha``.

        Args:
            alpha (Tensor, optional): ``(N,)`` values in ``[0, 1]``, N the
                size of the training set. Copied.
        """
        self._alpha = None if alpha is None else check_sample_vector(
            'alpha', alpha, high=1.)

    @property
    def weight(self) -> Optional[Tensor]:
        """A copy of the per-sample loss weight set by :meth:`set_weight`,
        or None."""
        if self._weight is None:
            return None
        return self._weight.clone()

    def set_weight(self, weight: Optional[Tensor]) -> None:
        """Set the loss weight of every training sample, which multiplies
        the sample's whole Eq. 9 loss; None returns to weight 1.

        Args:
            weight (Tensor, optional): ``(N,)`` finite values >= 0, N the
                size of the training set. Copied.
        """
        self._weight = None if weight is None else \
            check_sample_vector('weight', weight)

    def batch_alpha(self, data_samples: SampleList,
                    device: torch.device) -> Tensor:
        """The KD weight of each sample of the batch, ``(N,)`` float32."""
        if self._alpha is None:
            return torch.full((len(data_samples), ),
                              self.default_alpha,
                              device=device)
        indices = sample_indices(data_samples, len(self._alpha))
        return self._alpha[indices].to(device)

    def batch_weight(self, data_samples: SampleList,
                     device: torch.device) -> Optional[Tensor]:
        """The loss weight of each sample of the batch; None while no
        weights are set."""
        if self._weight is None:
            return None
        indices = sample_indices(
            data_samples, len(self._weight), name='weight')
        return self._weight[indices].to(device)

    def record_losses(self, data_samples: SampleList, alpha: Tensor,
                      ce: Tensor, kd: Tensor) -> None:
        """Keep the batch's per-sample Eq. 9 loss ``(1 - alpha_j) * CE_j +
        alpha_j * KD_j``, before the loss weight, and its KD term,
        unweighted by alpha, detached, by dataset index in
        :attr:`last_losses`; a batch whose samples do not all carry
        ``sample_idx`` leaves it as it is.

        Args:
            data_samples (list[ActionDataSample]): The batch's data samples.
            alpha (Tensor): ``(N,)`` KD weights of the batch.
            ce (Tensor): ``(N,)`` cross-entropy of the student.
            kd (Tensor): ``(N,)`` KD loss.
        """
        indices = [s.metainfo.get('sample_idx') for s in data_samples]
        if any(index is None for index in indices):
            return
        self.last_losses = dict(
            sample_idx=torch.tensor([int(i) for i in indices],
                                    dtype=torch.long),
            loss=((1 - alpha) * ce + alpha * kd).detach().float(),
            kd=kd.detach().float())


class SampleTablesMixin:
    """The per-sample interface of a distiller, read and written by the
    hooks (SAKD, InfoBatch): properties and setters over its
    :class:`SampleTables`, which the class keeps in ``self.sample_tables``.
    """

    sample_tables: SampleTables

    @property
    def alpha(self) -> float:
        """The KD weight of every sample while no per-sample alpha is
        set."""
        return self.sample_tables.default_alpha

    @alpha.setter
    def alpha(self, value: float) -> None:
        self.sample_tables.default_alpha = float(value)

    @property
    def sample_alpha(self) -> Optional[Tensor]:
        """A copy of the per-sample ``alpha`` set by :meth:`set_sample_alpha`,
        or None."""
        return self.sample_tables.alpha

    def set_sample_alpha(self, alpha: Optional[Tensor]) -> None:
        """Set the KD weight of every training sample (Eq. 6,
        docs/method.md#distillation-strength), indexed by dataset index;
        None returns to the constant ``alpha``.

        Args:
            alpha (Tensor, optional): ``(N,)`` values in ``[0, 1]``, N the
                size of the training set. Copied.
        """
        self.sample_tables.set_alpha(alpha)

    @property
    def sample_weight(self) -> Optional[Tensor]:
        """A copy of the per-sample loss weight set by
        :meth:`set_sample_weight`, or None."""
        return self.sample_tables.weight

    def set_sample_weight(self, weight: Optional[Tensor]) -> None:
        """Set the loss weight of every training sample, indexed by dataset
        index, which multiplies the sample's whole Eq. 9 loss; None returns
        to weight 1 for every sample.

        Args:
            weight (Tensor, optional): ``(N,)`` finite values >= 0, N the
                size of the training set. Copied.
        """
        self.sample_tables.set_weight(weight)

    @property
    def last_sample_losses(self) -> Optional[Dict[str, Tensor]]:
        """After a :meth:`loss` call whose data samples all carry
        ``sample_idx``, the batch's per-sample Eq. 9 loss ``(1 - alpha_j) *
        CE_j + alpha_j * KD_j`` before the weight ``w_j`` and its KD term,
        detached, with the samples' dataset indices, for hooks to read in
        ``after_train_iter``: ``dict(sample_idx=(N,) int64, loss=(N,)
        float32, kd=(N,) float32)``; else None."""
        return self.sample_tables.last_losses

    @last_sample_losses.setter
    def last_sample_losses(self, value: Optional[Dict[str, Tensor]]) -> None:
        self.sample_tables.last_losses = value
