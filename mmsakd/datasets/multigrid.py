"""Multigrid training (Wu et al., CVPR 2020) for MMAction2 1.x: clip shapes
that change with the epoch (long cycle) and the sample (short cycle), with
the batch size scaled so that a batch costs about the same
(docs/method.md#multigrid-kd)."""
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from mmengine.dataset import BaseDataset
from torch import Tensor

from mmsakd.registry import DATASETS, TASK_UTILS
from mmsakd.selection.checks import check_int
from .multigrid_schedule import MultigridSchedule
from .wrapper import EpochDatasetWrapper, innermost_dataset


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
        epoch, idx = self.epoch_and_index(idx, 'MultigridHook')
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
