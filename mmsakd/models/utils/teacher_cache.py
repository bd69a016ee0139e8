"""Teacher logits kept by dataset index, so that a frozen teacher runs once
per training clip (docs/method.md#teacher-output-cache): the store, and how
a distiller builds it from its config, reads a batch through it and keeps
it in its state dict."""
from typing import Callable, Dict, List, Optional, Tuple, Union

import torch
from mmaction.utils import SampleList
from torch import Tensor, nn

from mmsakd.registry import TASK_UTILS
from .recognizer import sample_indices

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


def build_teacher_cache(cfg: Union[None, bool, dict], kd_loss: nn.Module,
                        interrupt_train: Optional[dict]
                        ) -> Optional[TeacherOutputCache]:
    """The cache of a distiller's ``teacher_cache`` config, after checking
    that its KD loss and training batches allow one.

    Args:
        cfg (dict | bool, optional): A config of a cache registered in
            ``TASK_UTILS``, True for :class:`TeacherOutputCache`, or None
            or False for none.
        kd_loss (nn.Module): The distiller's KD loss; it must read the
            teacher's logits only (``teacher_logits_only``).
        interrupt_train (dict, optional): The distiller's training-batch
            interruption; it must be off.

    Returns:
        TeacherOutputCache | None: The cache, or None when off.
    """
    if cfg is None or cfg is False:
        return None
    if cfg is True:
        cfg = dict(type='TeacherOutputCache')
    if not isinstance(cfg, dict):
        raise TypeError('teacher_cache must be None, a bool or a config '
                        f'dict, got {type(cfg).__name__}')
    check_logits_only(kd_loss, interrupt_train, 'model.teacher_cache')
    return TASK_UTILS.build(cfg)


def check_logits_only(kd_loss: nn.Module, interrupt_train: Optional[dict],
                      what: str) -> None:
    """Refuse stored teacher logits for a KD loss that reads more of the
    teacher, or for training batches interrupted at every step.

    Args:
        kd_loss (nn.Module): The distiller's KD loss.
        interrupt_train (dict, optional): The distiller's training-batch
            interruption.
        what (str): What stores the logits, used in the messages.
    """
    if not getattr(kd_loss, 'teacher_logits_only', False):
        raise ValueError(
            f'{what} stores the teacher\'s logits only, but '
            f'{type(kd_loss).__name__} reads more of the teacher '
            '(its features or modules); use it with a logit loss (KDLoss, '
            f'DKDLoss, CTKDLoss) or turn {what} off')
    if interrupt_train is not None:
        raise ValueError(
            f'{what} needs the same clip for a given view, but '
            'model.interrupt_train changes the training clips at every '
            'step; set one of them off')


def cached_teacher_logits(cache: TeacherOutputCache,
                          run_teacher: Callable[[Tensor], Tuple[Tensor, ...]],
                          inputs: Tensor, data_samples: SampleList) -> Tensor:
    """The teacher's logits of a batch: stored ones from ``cache``, the
    teacher run on the others, which are then stored.

    Args:
        cache (TeacherOutputCache): The cache, or anything with its
            ``lookup`` and ``store``.
        run_teacher (Callable): Runs the teacher on inputs and returns its
            logits first.
        inputs (Tensor): The batch's preprocessed inputs.
        data_samples (list[ActionDataSample]): Their data samples, with
            ``sample_idx``.

    Returns:
        Tensor: ``(N, K)`` logits on the inputs' device, float32 where any
        come from the cache.
    """
    indices = sample_indices(
        data_samples, num_samples=2**62, name='teacher cache')
    logits, hit = cache.lookup(indices)
    # The first stored clip of the batch runs through the teacher too, so
    # that outputs of another view of the clip (a random pipeline) or of
    # another clip (a changed annotation list) are found, not trained on.
    miss = (~hit).nonzero().flatten()
    if bool(hit.any()):
        miss = torch.cat([hit.nonzero().flatten()[:1], miss])
    new_logits = run_teacher(inputs[miss.to(inputs.device)])[0]
    if bool(hit.any()):
        check_stored(logits[miss[0]], new_logits[0].float().cpu(),
                     int(indices[miss[0]]), 'model.teacher_cache')
        miss, new_logits = miss[1:], new_logits[1:]
    if not len(miss):
        return logits.to(inputs.device)
    cache.store(indices[miss], new_logits)
    if logits is None:
        return new_logits.float()
    logits = logits.to(inputs.device)
    logits[miss.to(inputs.device)] = new_logits.float()
    return logits


def check_stored(stored: Tensor,
                 live: Tensor,
                 index: int,
                 what: str,
                 atol: float = 0.05,
                 rtol: float = 0.01) -> None:
    """Raise a RuntimeError unless the stored logits of clip ``index`` are
    within ``atol + rtol * |live|`` of the live teacher's.

    Args:
        stored (Tensor): ``(K,)`` stored logits.
        live (Tensor): ``(K,)`` logits of the teacher run now.
        index (int): The clip's dataset index, for the message.
        what (str): What stored them, for the message.
        atol (float): Absolute tolerance. Defaults to 0.05.
        rtol (float): Relative tolerance. Defaults to 0.01.
    """
    diff = (stored.float() - live.float()).abs()
    if bool((diff > atol + rtol * live.abs()).any()):
        raise RuntimeError(
            f'{what} holds logits for clip {index} that differ from the live '
            f'teacher\'s by up to {float(diff.max()):.4g} (tolerance {atol} '
            f'+ {rtol} * |logit|): the clip is not the one they were stored '
            'for. A random training pipeline (random offsets, crops, flips) '
            'gives another view at every epoch: wrap the training set in '
            "dict(type='ReplayAugmentation', ...) and use TeacherStoreHook, "
            'or turn the cache off. A checkpoint of another training set '
            '(load_from) brings its own cached logits: turn the cache off '
            'for that run')


def add_cache_state(module: nn.Module, state_dict: dict, prefix: str,
                    local_metadata: dict) -> None:
    """State-dict post-hook of a module with a ``teacher_cache`` attribute:
    add ``teacher_cache.*`` when the cache holds logits."""
    if module.teacher_cache is None:
        return
    for key, value in module.teacher_cache.state_dict().items():
        state_dict[prefix + CACHE_PREFIX + key] = value


def load_cache_state(module: nn.Module, state_dict: dict, prefix: str,
                     local_metadata: dict, strict: bool,
                     missing_keys: List[str], unexpected_keys: List[str],
                     error_msgs: List[str]) -> None:
    """Load-state-dict pre-hook of a module with a ``teacher_cache``
    attribute: move ``teacher_cache.*`` into the cache (or drop them when
    the cache is off: they are not weights)."""
    cache_prefix = prefix + CACHE_PREFIX
    keys = [key for key in state_dict if key.startswith(cache_prefix)]
    if not keys:
        return
    state = {key[len(cache_prefix):]: state_dict.pop(key) for key in keys}
    if module.teacher_cache is not None:
        module.teacher_cache.load_state_dict(state)
