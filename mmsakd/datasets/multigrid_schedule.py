"""The schedule of multigrid training (Wu et al., CVPR 2020): the clip
shape and batch size of each epoch and sample, as plain functions
(docs/method.md#multigrid-kd)."""
from typing import Optional, Sequence, Tuple

import torch
from torch import Tensor

from mmsakd.registry import TASK_UTILS
from mmsakd.selection.checks import check_bool, check_int, check_range
from mmsakd.selection.interruption import make_generator

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
    Wu et al.); the short cycle keeps it. With ``scale_batch=False`` every
    shape keeps the base batch: an epoch takes as many steps as at the base
    shape, each cheaper, for a training set too small for the larger
    batches to leave enough steps.

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
        scale_batch (bool): Grow the batch as the clip shrinks.
            Defaults to True.
    """

    def __init__(self,
                 long_cycle: Sequence[Sequence[float]] = LONG_CYCLE,
                 short_cycle: Sequence[float] = SHORT_CYCLE,
                 epochs_per_shape: int = 1,
                 until_epoch: Optional[int] = None,
                 seed: int = 0,
                 scale_batch: bool = True) -> None:
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
        check_bool('scale_batch', scale_batch)
        self.scale_batch = scale_batch

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
            short-cycle factor ``f``, at least 1; ``base`` without
            ``scale_batch``.
        """
        check_int('base', base, 1)
        if not self.scale_batch:
            return base
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
                f'until_epoch={self.until_epoch}, seed={self.seed}, '
                f'scale_batch={self.scale_batch})')
