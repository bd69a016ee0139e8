"""The multigrid phases of ``tools/analysis/benchmark_epoch.py``: one
training epoch at each shape of a :class:`~mmsakd.datasets.MultigridSchedule`
long cycle, on clips in memory or read from files."""
from typing import Dict, Iterable, List, Tuple

import torch
import torch.nn.functional as F
from mmengine.dataset import pseudo_collate
from torch import Tensor

from mmsakd.datasets import MultigridClips, MultigridSchedule


def code_batches(schedule: MultigridSchedule, epoch: int, indices: List[int],
                 base_batch: int,
                 num_samples: int) -> List[Tuple[int, List[int]]]:
    """``indices`` grouped by short-cycle code in ``epoch`` and cut into
    each code's batches, as
    :class:`~mmsakd.datasets.samplers.MultigridBatchSampler` cuts them on
    one rank (without its shuffle of the batches).

    Args:
        schedule (MultigridSchedule): The schedule.
        epoch (int): The epoch.
        indices (list[int]): The clips of the epoch.
        base_batch (int): The batch size at the base shape.
        num_samples (int): The dataset's length.

    Returns:
        list[tuple[int, list[int]]]: ``(code, batch)`` pairs.
    """
    codes = schedule.codes(epoch, num_samples)
    batches = []
    for code in range(len(schedule.space_factors(epoch))):
        group = [i for i in indices if int(codes[i]) == code]
        size = schedule.batch_size(epoch, base_batch, code)
        batches += [(code, group[start:start + size])
                    for start in range(0, len(group), size)]
    return batches


def reshape_videos(videos: Tensor, frames: int, side: int) -> Tensor:
    """Clips ``(..., C, T, H, W)`` (uint8) at ``frames`` frames (evenly
    strided over ``T``) and ``side`` x ``side`` pixels (bilinear), as the
    pipeline's frame sampler and ``Resize`` would load them."""
    *lead, channels, length, height, width = videos.shape
    keep = torch.linspace(0, length - 1, frames).round().long()
    clips = videos.index_select(-3, keep.to(videos.device))
    flat = clips.reshape(-1, channels * frames, height, width).float()
    resized = F.interpolate(
        flat, size=(side, side), mode='bilinear', align_corners=False)
    return resized.round().clamp(0, 255).to(torch.uint8).reshape(
        *lead, channels, frames, side, side)


class MemoryShapes:
    """The in-memory clips of the epoch benchmark in every multigrid shape.

    Args:
        clips: The benchmark's in-memory clips (``videos`` of
            ``(pool, 1, C, T, S, S)``, ``labels``, ``__getitem__``).
        schedule (MultigridSchedule): The schedule.
        frame_divisor (int): Frames are a multiple of it.
    """

    def __init__(self, clips, schedule: MultigridSchedule,
                 frame_divisor: int) -> None:
        self.clips = clips
        self.schedule = schedule
        self.frame_divisor = frame_divisor
        self._cache: Dict[Tuple[int, int], Tensor] = {}

    def batches(self, epoch: int, indices: List[int],
                base_batch: int) -> Iterable[Dict]:
        videos = self.clips.videos
        length, size = videos.shape[-3], videos.shape[-1]
        for code, batch in code_batches(self.schedule, epoch, indices,
                                        base_batch, len(self.clips)):
            frames, _, (side,
                        _) = self.schedule.clip_shape(epoch, code, length, 1,
                                                      (size, size), 8,
                                                      self.frame_divisor)
            key = (frames, side)
            if key not in self._cache:
                self._cache = {key: reshape_videos(videos, frames, side)}
            samples = []
            for i in batch:
                sample = self.clips[i]
                sample['inputs'] = self._cache[key][i % len(videos)]
                sample['data_samples'].set_metainfo(dict(aug_view=epoch))
                samples.append(sample)
            yield pseudo_collate(samples)


class FileShapes:
    """The epoch benchmark's clip files, loaded through the training
    pipeline in every multigrid shape (:class:`MultigridClips`).

    Args:
        train: The training set built from the config (files).
        schedule (MultigridSchedule): The schedule.
        frame_divisor (int): Frames are a multiple of it.
        num_workers (int): Loader workers.
    """

    def __init__(self, train, schedule: MultigridSchedule, frame_divisor: int,
                 num_workers: int) -> None:
        self.clips = MultigridClips(
            train, schedule, frame_divisor=frame_divisor)
        self.schedule = schedule
        self.num_workers = num_workers

    def batches(self, epoch: int, indices: List[int],
                base_batch: int) -> Iterable[Dict]:
        self.clips.set_epoch(epoch)
        return torch.utils.data.DataLoader(
            self.clips,
            batch_sampler=[
                batch for _, batch in code_batches(
                    self.schedule, epoch, indices, base_batch, len(self.clips))
            ],
            num_workers=self.num_workers,
            collate_fn=_collate_with_view(epoch))


class _collate_with_view:
    """``pseudo_collate`` that marks each sample with the epoch's view
    (picklable, for loader workers)."""

    def __init__(self, view: int) -> None:
        self.view = view

    def __call__(self, samples: List[Dict]) -> Dict:
        for sample in samples:
            sample['data_samples'].set_metainfo(dict(aug_view=self.view))
        return pseudo_collate(samples)
