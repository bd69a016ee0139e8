"""Multigrid training (Wu et al., CVPR 2020) for MMAction2 1.x: clip shapes
that change with the epoch (long cycle) and the sample (short cycle), with
the batch size scaled so that a batch costs about the same
(docs/method.md#multigrid-kd)."""
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.dataset import BaseDataset
from torch import Tensor

from mmsakd.registry import DATASETS, TASK_UTILS
from mmsakd.selection.checks import check_int, check_range
from mmsakd.selection.interruption import make_generator
from .wrapper import EpochDatasetWrapper, innermost_dataset

#: The long cycle of Wu et al.: (time, space) factors of the base clip.
LONG_CYCLE = ((0.25, 2**-0.5), (0.5, 2**-0.5), (0.5, 1.0), (1.0, 1.0))
#: The short cycle of Wu et al.: space factors below the long cycle's.
SHORT_CYCLE = (0.5, 2**-0.5)


@TASK_UTILS.register_module()
class MultigridSchedule:
    """Which clip shape and batch size each epoch and sample train at.

    Epoch ``e`` below ``until_epoch`` takes the long-cycle factors
    ``long_cycle[(e // epochs_per_shape) % len(long_cycle)]``: ``(t, s)``
    multiply the base clip's frames by ``t`` (its frame interval by about
    ``1 / t``, so a clip spans the same time) and its height and width by
    ``s``, and the batch by ``1 / (t * s**2)``, so that a batch holds about
    as many pixels as at the base shape. Later epochs train at the base
    shape with the base batch, so the last epochs (and batch-norm
    statistics) see the shape the model is evaluated at.

    The short cycle divides the space factor of an epoch's samples further
    by one of ``short_cycle`` (a batch ``1 / f**2`` larger) or leaves it.
    Wu et al. switch it per iteration, taking the factors in turn; here
    each sample gets one from ``(seed, epoch, index)``, in the shares that
    switching per iteration gives (``1 / f**2`` each, 1 for the full size),
    so that a sample's view is a pure function of (epoch, index), as
    replayed augmentation and stored teacher outputs need. A sampler then
    batches the samples of each shape together
    (:class:`~mmsakd.datasets.samplers.MultigridBatchSampler`).

    The learning rate follows the long-cycle batch (linear scaling, as
    Wu et al.); the short cycle keeps it.

    Args:
        long_cycle (Sequence[Sequence[float]]): ``(t, s)`` factors, each in
            (0, 1]. Defaults to :data:`LONG_CYCLE`.
        short_cycle (Sequence[float]): Space factors in (0, 1); empty for
            no short cycle. Defaults to :data:`SHORT_CYCLE`.
        epochs_per_shape (int): Epochs each long-cycle shape lasts, >= 1.
            Defaults to 1.
        until_epoch (int, optional): The first epoch at the base shape,
            >= 0; None: the cycles run until the end. Defaults to None.
        seed (int): The seed of the short cycle's shares, >= 0.
            Defaults to 0.
    """

    def __init__(self,
                 long_cycle: Sequence[Sequence[float]] = LONG_CYCLE,
                 short_cycle: Sequence[float] = SHORT_CYCLE,
                 epochs_per_shape: int = 1,
                 until_epoch: Optional[int] = None,
                 seed: int = 0) -> None:
        long_cycle = [tuple(float(f) for f in pair) for pair in long_cycle]
        if not long_cycle or any(len(pair) != 2 for pair in long_cycle):
            raise ValueError('long_cycle must be one or more (t, s) pairs, '
                             f'got {long_cycle}')
        for i, (t, s) in enumerate(long_cycle):
            check_range(f'long_cycle[{i}][0]', t, 0, 1, low_open=True)
            check_range(f'long_cycle[{i}][1]', s, 0, 1, low_open=True)
        short_cycle = tuple(float(f) for f in short_cycle)
        for i, f in enumerate(short_cycle):
            check_range(f'short_cycle[{i}]', f, 0, 1, True, True)
        check_int('epochs_per_shape', epochs_per_shape, 1)
        if until_epoch is not None:
            check_int('until_epoch', until_epoch, 0)
        check_int('seed', seed, 0)
        self.long_cycle = tuple(long_cycle)
        self.short_cycle = short_cycle
        self.epochs_per_shape = epochs_per_shape
        self.until_epoch = until_epoch
        self.seed = seed

    def in_cycle(self, epoch: int) -> bool:
        """Whether ``epoch`` trains in the cycles (not at the base shape)."""
        check_int('epoch', epoch, 0)
        return self.until_epoch is None or epoch < self.until_epoch

    def long_factors(self, epoch: int) -> Tuple[float, float]:
        """The ``(t, s)`` factors of ``epoch``; ``(1, 1)`` after the
        cycles."""
        if not self.in_cycle(epoch):
            return 1.0, 1.0
        step = (epoch // self.epochs_per_shape) % len(self.long_cycle)
        return self.long_cycle[step]

    def space_factors(self, epoch: int) -> Tuple[float, ...]:
        """The space factor of each short-cycle code of ``epoch``: the
        short cycle's factors times the long cycle's, then the long cycle's
        alone (the last code); one code after the cycles."""
        _, s = self.long_factors(epoch)
        if not self.in_cycle(epoch):
            return (s, )
        return tuple(f * s for f in self.short_cycle) + (s, )

    def batch_size(self, epoch: int, base: int, code: int = -1) -> int:
        """The batch size of code ``code`` (default: the last, the long
        cycle's shape) in ``epoch``, from the base batch ``base``.

        Args:
            epoch (int): The epoch.
            base (int): The batch size at the base shape, >= 1.
            code (int): A short-cycle code of :meth:`space_factors`.
                Defaults to -1.

        Returns:
            int: ``round(base / (t * s**2))`` times ``1 / f**2`` for a
            short-cycle factor ``f``, at least 1.
        """
        check_int('base', base, 1)
        t, s = self.long_factors(epoch)
        long_batch = max(1, round(base / (t * s * s)))
        if code in (-1, len(self.space_factors(epoch)) - 1):
            return long_batch
        f = self.short_cycle[code]
        return max(1, round(long_batch / (f * f)))

    def lr_factor(self, epoch: int, base: int) -> float:
        """The learning-rate factor of ``epoch``: its long-cycle batch over
        ``base`` (the linear scaling rule)."""
        return self.batch_size(epoch, base) / base

    def codes(self, epoch: int, num_samples: int) -> Tensor:
        """The short-cycle code of every dataset index in ``epoch``.

        A permutation drawn from ``(seed, epoch)`` (the ``'multigrid'``
        stream of :func:`~mmsakd.selection.make_generator`) gives its first
        ``round(num_samples * share_0)`` positions code 0, and so on, where
        code ``c`` of factor ``f`` has a share proportional to ``1 / f**2``
        and the last (no short-cycle factor) a share proportional to 1.

        Args:
            epoch (int): The epoch.
            num_samples (int): The dataset's length, >= 1.

        Returns:
            Tensor: ``(num_samples,)`` int64 codes indexing
            :meth:`space_factors`.
        """
        check_int('num_samples', num_samples, 1)
        last = len(self.space_factors(epoch)) - 1
        codes = torch.full((num_samples, ), last)
        if not last:
            return codes
        weights = [1 / (f * f) for f in self.short_cycle] + [1.0]
        bounds = torch.tensor(weights, dtype=torch.float64).cumsum(0)
        bounds = (bounds / bounds[-1] * num_samples).round().long().tolist()
        order = torch.randperm(
            num_samples,
            generator=make_generator(self.seed, epoch, stream='multigrid'))
        start = 0
        for code, stop in enumerate(bounds[:-1]):
            codes[order[start:stop]] = code
            start = stop
        return codes

    def clip_shape(self,
                   epoch: int,
                   code: int,
                   clip_len: int,
                   frame_interval: int,
                   size: Tuple[int, int],
                   size_divisor: int,
                   frame_divisor: int = 1) -> Tuple[int, int, Tuple[int, int]]:
        """The frames, frame interval and ``(width, height)`` of a clip of
        ``code`` in ``epoch``, from the base clip's.

        Frames are ``clip_len * t`` rounded to a multiple of
        ``frame_divisor`` (at least ``frame_divisor``), the interval keeps
        the clip's span (``round(clip_len * frame_interval / frames)``, at
        least 1); each side is ``side * s`` rounded to a multiple of
        ``size_divisor`` (at least ``size_divisor``).
        """
        t, _ = self.long_factors(epoch)
        s = self.space_factors(epoch)[code]
        frames = max(frame_divisor,
                     round(clip_len * t / frame_divisor) * frame_divisor)
        interval = max(1, round(clip_len * frame_interval / frames))
        side = tuple(
            max(size_divisor,
                round(x * s / size_divisor) * size_divisor) for x in size)
        return frames, interval, side

    def describe(self, epoch: int, base_batch: int) -> str:
        """One line on ``epoch``'s shapes and batch sizes, for logs."""
        t, _ = self.long_factors(epoch)
        parts = []
        for code, s in enumerate(self.space_factors(epoch)):
            batch = self.batch_size(epoch, base_batch, code)
            parts.append(f's={s:.3g} batch {batch}')
        return f't={t:g}: ' + ', '.join(parts)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(long_cycle={self.long_cycle}, '
                f'short_cycle={self.short_cycle}, '
                f'epochs_per_shape={self.epochs_per_shape}, '
                f'until_epoch={self.until_epoch}, seed={self.seed})')


def _find_shape_transforms(pipeline) -> Tuple[Any, Any]:
    """The frame sampler (``clip_len`` and ``frame_interval``) and the last
    fixed-size ``Resize`` of a pipeline, or None for either."""
    transforms = getattr(pipeline, 'transforms', pipeline) or []
    sampler, resize = None, None
    for transform in transforms:
        if sampler is None and hasattr(transform, 'clip_len') and hasattr(
                transform, 'frame_interval'):
            sampler = transform
        if type(transform).__name__ == 'Resize' and not getattr(
                transform, 'keep_ratio', True) and isinstance(
                    getattr(transform, 'scale', None), tuple):
            resize = transform
    return sampler, resize


@DATASETS.register_module()
class MultigridClips(EpochDatasetWrapper):
    """A dataset wrapper that loads each training clip in the shape its
    :class:`MultigridSchedule` gives it for the current epoch.

    The wrapped dataset's training pipeline sets the base shape: its frame
    sampler (``SampleFrames``: ``clip_len`` frames every
    ``frame_interval``) and its last ``Resize`` with ``keep_ratio=False``
    (the network's input size). Before loading clip ``idx`` the wrapper
    sets both to the shape of ``idx`` in the current epoch
    (:meth:`clip_shape`) and restores them afterwards; the rest of the
    pipeline (crops, flips) runs as configured, so decoding reads only the
    frames the clip needs. A dataset in test mode (SAKD's scoring pass) is
    loaded at its base shape.

    The epoch is shared with the dataloader workers
    (:class:`~mmsakd.datasets.wrapper.EpochDatasetWrapper`);
    :class:`~mmsakd.engine.hooks.MultigridHook` sets it, and
    :class:`~mmsakd.datasets.samplers.MultigridBatchSampler` reads the same
    schedule to put clips of one shape in a batch.

    Args:
        dataset (dict | Dataset): The dataset, or its config.
        schedule (dict | MultigridSchedule): The schedule or its config.
            Defaults to ``dict(type='MultigridSchedule')``.
        size_divisor (int): Sides are rounded to a multiple of it, >= 1.
            Defaults to 8.
        frame_divisor (int): Frames are rounded to a multiple of it, >= 1:
            the largest temporal stride of the networks (a SlowFast's
            ``resample_rate``), which :class:`MultigridHook` checks.
            Defaults to 1.
        lazy_init (bool): Leave the wrapped dataset's annotation loading to
            :meth:`full_init`. Defaults to False.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 schedule: Union[dict, MultigridSchedule, None] = None,
                 size_divisor: int = 8,
                 frame_divisor: int = 1,
                 lazy_init: bool = False) -> None:
        super().__init__(dataset, lazy_init)
        if schedule is None:
            schedule = dict(type='MultigridSchedule')
        if isinstance(schedule, dict):
            schedule = TASK_UTILS.build(schedule)
        if not isinstance(schedule, MultigridSchedule):
            raise TypeError('schedule must be a MultigridSchedule or its '
                            f'config, got {type(schedule).__name__}')
        check_int('size_divisor', size_divisor, 1)
        check_int('frame_divisor', frame_divisor, 1)
        self.schedule = schedule
        self.size_divisor = size_divisor
        self.frame_divisor = frame_divisor
        self._codes: Dict[int, Tensor] = {}
        self._sampler, self._resize = self._shape_transforms()
        self._init_unless_lazy()

    def _shape_transforms(self) -> Tuple[Any, Any]:
        inner = innermost_dataset(self.dataset)
        sampler, resize = _find_shape_transforms(
            getattr(inner, 'pipeline', None))
        if self.in_test_mode():
            return sampler, resize
        if sampler is None and any(t != 1
                                   for t, _ in self.schedule.long_cycle):
            raise ValueError(
                'MultigridClips changes the frames of a clip, but '
                'train_dataloader.dataset.pipeline has no frame sampler '
                "(a transform with clip_len and frame_interval, such as "
                "SampleFrames); use long_cycle time factors of 1")
        if resize is None:
            raise ValueError(
                'MultigridClips changes the size of a clip, but '
                'train_dataloader.dataset.pipeline has no fixed-size '
                "dict(type='Resize', scale=(w, h), keep_ratio=False) to set "
                'it; add one after the crop')
        return sampler, resize

    @property
    def base_shape(self) -> Tuple[int, int, Tuple[int, int]]:
        """``(clip_len, frame_interval, (width, height))`` of the base
        clip."""
        clip_len = getattr(self._sampler, 'clip_len', 1)
        interval = getattr(self._sampler, 'frame_interval', 1)
        return int(clip_len), int(interval), tuple(
            int(x) for x in self._resize.scale)

    def codes(self, epoch: int) -> Tensor:
        """The short-cycle code of every index in ``epoch`` (cached)."""
        if epoch not in self._codes:
            self._codes = {
                epoch: self.schedule.codes(epoch, max(1, len(self)))
            }
        return self._codes[epoch]

    def clip_shape(self, epoch: int,
                   idx: int) -> Tuple[int, int, Tuple[int, int]]:
        """``(clip_len, frame_interval, (width, height))`` of clip ``idx``
        in ``epoch``."""
        code = int(self.codes(epoch)[idx])
        return self.schedule.clip_shape(epoch, code, *self.base_shape,
                                        self.size_divisor, self.frame_divisor)

    def __getitem__(self, idx: int) -> Any:
        if self.in_test_mode():
            return self.dataset[idx]
        epoch = self.epoch
        if epoch is None:
            raise RuntimeError(
                'MultigridClips has no epoch: add '
                "dict(type='MultigridHook') to the config's custom_hooks, "
                'or call set_epoch(epoch) before loading')
        idx = int(idx)
        if idx < 0:
            idx += len(self)
        base = self.base_shape
        frames, interval, size = self.clip_shape(epoch, idx)
        try:
            self._set_shape(frames, interval, size)
            return self.dataset[idx]
        finally:
            self._set_shape(*base)

    def _set_shape(self, frames: int, interval: int, size: Tuple[int,
                                                                 int]) -> None:
        if self._sampler is not None:
            self._sampler.clip_len = frames
            self._sampler.frame_interval = interval
        self._resize.scale = tuple(size)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(dataset='
                f'{type(self.dataset).__name__}, schedule={self.schedule}, '
                f'size_divisor={self.size_divisor}, '
                f'frame_divisor={self.frame_divisor}, epoch={self.epoch})')


def shape_batches(dataset, epoch: int, indices: Sequence[int],
                  batch_size: int) -> List[List[int]]:
    """``indices`` cut into batches of ``batch_size`` whose clips have one
    shape in ``epoch``: grouped by shape when ``dataset`` holds a
    :class:`MultigridClips`, else in order.

    Args:
        dataset: The training set, possibly wrapped.
        epoch (int): The epoch whose shapes count, >= 0.
        indices (Sequence[int]): Dataset indices, in the order to keep
            within a shape.
        batch_size (int): The largest batch, >= 1.

    Returns:
        list[list[int]]: The batches.
    """
    check_int('batch_size', batch_size, 1)
    clips = find_multigrid(dataset)
    groups: Dict[Any, List[int]] = {}
    for idx in indices:
        key = None if clips is None else clips.clip_shape(epoch, int(idx))
        groups.setdefault(key, []).append(int(idx))
    return [
        group[start:start + batch_size] for group in groups.values()
        for start in range(0, len(group), batch_size)
    ]


def find_multigrid(dataset) -> Optional[MultigridClips]:
    """The :class:`MultigridClips` in a chain of dataset wrappers, or
    None."""
    while dataset is not None:
        if isinstance(dataset, MultigridClips):
            return dataset
        dataset = getattr(dataset, 'dataset', None)
    return None
