"""Teacher logits kept by dataset index, so that a frozen teacher runs once
per training clip (docs/method.md#teacher-output-cache)."""
from typing import Dict, Optional, Tuple

import torch
from torch import Tensor

from mmsakd.registry import TASK_UTILS

#: Prefix of the cache's entries in the distiller's state dict.
CACHE_PREFIX = 'teacher_cache.'


@TASK_UTILS.register_module()
class TeacherOutputCache:
    """The teacher's logits of each training clip, filled on first sight.

    The teacher of :class:`~mmsakd.models.SAKDDistiller` is frozen and in
    eval mode, so with a deterministic training pipeline (the same frames of
    a clip at every epoch, no random augmentation, no training-time
    interruption) its logits are a fixed function of the dataset index.
    The distiller then runs the teacher only on the clips of a batch that
    the cache has not seen yet and reads the others from here.

    The cache grows with the largest index seen, so it needs no dataset
    size. Its content travels in the distiller's state dict (``teacher_cache
    .logits``, ``teacher_cache.valid``), so that a resumed run reads the
    same values as an uninterrupted one. It is per rank: a rank stores the
    clips it trains on. Memory: ``N x K`` float32 (240,000 Kinetics-400
    clips: 384 MB).

    Only the logits are stored: feature-based KD losses read the teacher's
    feature maps (``C x T x H x W`` per clip), which are too large to keep
    for a dataset.
    """

    def __init__(self) -> None:
        self._logits: Optional[Tensor] = None
        self._valid = torch.zeros(0, dtype=torch.bool)
        #: Cumulative counts of looked-up clips found and not found.
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        """The number of clips stored."""
        return int(self._valid.sum())

    def lookup(self, indices: Tensor) -> Tuple[Optional[Tensor], Tensor]:
        """The stored logits of ``indices`` and which of them are stored.

        Args:
            indices (Tensor): ``(n,)`` int64 dataset indices, >= 0.

        Returns:
            tuple[Tensor | None, Tensor]: ``(n, K)`` logits (rows of misses
            are zero; None while nothing is stored) and the ``(n,)`` bool
            mask of hits.
        """
        indices = self._check_indices(indices)
        hit = torch.zeros(len(indices), dtype=torch.bool)
        inside = indices < len(self._valid)
        hit[inside] = self._valid[indices[inside]]
        self.hits += int(hit.sum())
        self.misses += int((~hit).sum())
        if self._logits is None:
            return None, hit
        logits = torch.zeros(len(indices), self._logits.shape[1])
        logits[hit] = self._logits[indices[hit]]
        return logits, hit

    def store(self, indices: Tensor, logits: Tensor) -> None:
        """Store the logits of ``indices``.

        Args:
            indices (Tensor): ``(n,)`` int64 dataset indices, >= 0.
            logits (Tensor): ``(n, K)`` teacher logits, kept as float32 on
                the CPU.
        """
        indices = self._check_indices(indices)
        logits = logits.detach().float().cpu()
        if logits.dim() != 2 or logits.shape[0] != len(indices):
            raise ValueError('logits must have shape (len(indices), K), got '
                             f'{tuple(logits.shape)} for {len(indices)} '
                             'indices')
        if self._logits is not None and \
                logits.shape[1] != self._logits.shape[1]:
            raise ValueError(f'the cache holds {self._logits.shape[1]} '
                             f'logits per clip, got {logits.shape[1]}')
        if len(indices):
            self._grow(int(indices.max()) + 1, logits.shape[1])
        self._logits[indices] = logits
        self._valid[indices] = True

    def state_dict(self) -> Dict[str, Tensor]:
        """The stored logits and the mask of stored clips (empty when the
        cache is empty)."""
        if self._logits is None:
            return dict()
        return dict(logits=self._logits.clone(), valid=self._valid.clone())

    def load_state_dict(self, state: Dict[str, Tensor]) -> None:
        """Replace the content by a :meth:`state_dict`, copied to the CPU
        from whatever device it is on.

        Args:
            state (dict[str, Tensor]): What :meth:`state_dict` returned.
        """
        if not state:
            self._logits = None
            self._valid = torch.zeros(0, dtype=torch.bool)
            return
        logits, valid = state['logits'], state['valid']
        if logits.dim() != 2 or valid.shape != (logits.shape[0], ):
            raise ValueError('a teacher cache state needs (N, K) logits and '
                             f'an (N,) mask, got {tuple(logits.shape)} and '
                             f'{tuple(valid.shape)}')
        # One copy each, straight to the CPU: the state may arrive on a GPU
        # (a checkpoint loaded with a GPU map_location), and the cache must
        # not share memory with what it was given.
        self._logits = logits.detach().to('cpu', torch.float32, copy=True)
        self._valid = valid.detach().to('cpu', torch.bool, copy=True)

    def _grow(self, size: int, num_classes: int) -> None:
        """Make room for indices below ``size``, doubling the capacity."""
        if self._logits is None:
            self._logits = torch.zeros(0, num_classes)
        capacity = len(self._valid)
        if size <= capacity:
            return
        new_capacity = max(size, 2 * capacity)
        logits = torch.zeros(new_capacity, num_classes)
        logits[:capacity] = self._logits
        valid = torch.zeros(new_capacity, dtype=torch.bool)
        valid[:capacity] = self._valid
        self._logits, self._valid = logits, valid

    @staticmethod
    def _check_indices(indices: Tensor) -> Tensor:
        indices = torch.as_tensor(indices, dtype=torch.long).reshape(-1).cpu()
        if len(indices) and int(indices.min()) < 0:
            raise ValueError('dataset indices must be >= 0, got '
                             f'{int(indices.min())}')
        return indices
