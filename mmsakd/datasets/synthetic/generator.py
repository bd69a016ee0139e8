"""Generating the synthetic action dataset's files.

Clips are written as ``.mp4`` (OpenCV ``mp4v``) with MMAction2
``VideoDataset`` annotation lists. Each clip is drawn from its own generator
seeded by ``(seed, split, index)``, so the same seed gives the same files
whatever the number of workers, and a larger dataset extends a smaller one.
Grouped clips draw what their group shares from a generator seeded by
``(seed, split, group)`` and the rest from their own.
"""
import json
import os
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

from .annotations import annotation_paths, clip_relpath, config_record
from .config import CLASSES, SPLITS, SyntheticActionConfig
from .render import render_clip

#: Tags the seeds of group generators apart from the clips' and the
#: labels'.
_GROUP_STREAM = 1 << 29


def _rng(seed: int, split: str, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, SPLITS.index(split), index])


def _group_rng(seed: int, split: str, group: int) -> np.random.Generator:
    return np.random.default_rng(
        [seed, SPLITS.index(split), _GROUP_STREAM, group])


def clip_label(seed: int,
               split: str,
               index: int,
               num_classes: int = len(CLASSES)) -> int:
    """Label of a clip; balanced classes in a seeded random order."""
    block, offset = divmod(index, num_classes)
    order = np.random.default_rng([seed,
                                   SPLITS.index(split), 1 << 30,
                                   block]).permutation(num_classes)
    return int(order[offset])


def draw_clip(cfg: SyntheticActionConfig, split: str,
              index: int) -> Tuple[np.ndarray, int]:
    """The frames and label of clip ``index`` of ``split``.

    Labels are balanced over clips, or over groups when grouped (the
    clips of a group share their group's label).

    Returns:
        tuple: ``(T, H, W, 3)`` uint8 BGR frames and the label.
    """
    num_classes = len(cfg.classes)
    if cfg.clips_per_group == 1:
        label = clip_label(cfg.seed, split, index, num_classes)
        return render_clip(label, cfg, _rng(cfg.seed, split, index)), label
    group = index // cfg.clips_per_group
    label = clip_label(cfg.seed, split, group, num_classes)
    frames = render_clip(label, cfg, _group_rng(cfg.seed, split, group),
                         _rng(cfg.seed, split, index))
    return frames, label


def write_video(path: str, frames: np.ndarray, fps: int) -> None:
    """Write ``(T, H, W, 3)`` BGR uint8 frames as an ``mp4v`` file.

    Raises:
        RuntimeError: If OpenCV cannot open a writer for ``path``.
    """
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (width, height))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV could not open an mp4v writer for {path}')
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()


def _generate_one(args: Tuple[SyntheticActionConfig, str, int, str]) -> str:
    cfg, split, index, root = args
    frames, label = draw_clip(cfg, split, index)
    relpath = clip_relpath(split, index, cfg.clips_per_group)
    path = osp.join(root, 'videos', relpath)
    tmp_path = path[:-4] + '.tmp.mp4'
    write_video(tmp_path, frames, cfg.fps)
    os.replace(tmp_path, path)  # a killed run never leaves a half file
    return f'{relpath} {label}'


def generate_dataset(root: str,
                     cfg: Optional[SyntheticActionConfig] = None,
                     num_workers: int = 0,
                     splits: Sequence[str] = SPLITS) -> Dict[str, str]:
    """Generate the dataset under ``root``.

    Layout::

        root/
            videos/train/train_00000.mp4 ...
            videos/val/val_00000.mp4 ...
            train.txt      # "train/train_00000.mp4 <label>" per line
            val.txt
            classes.txt    # one class name per line, line i is label i
            meta.json      # the config used, written last

    Annotation files are written only after all their clips exist, and
    ``meta.json`` last, so an interrupted run is detected and redone.

    Args:
        root (str): Output folder. Existing clips are overwritten.
        cfg (SyntheticActionConfig, optional): Sizes and difficulty.
            Defaults to None, meaning ``SyntheticActionConfig()``.
        num_workers (int): Worker processes; 0 renders in this process.
            Defaults to 0.
        splits (Sequence[str]): Splits to generate. Defaults to
            ``('train', 'val')``.

    Returns:
        dict: The paths of :func:`annotation_paths`.
    """
    from mmengine.utils import track_parallel_progress, track_progress

    cfg = cfg or SyntheticActionConfig()
    paths = annotation_paths(root)
    if osp.exists(paths['meta']):
        os.remove(paths['meta'])
    for split in splits:
        if split not in SPLITS:
            raise ValueError(f'splits must be among {SPLITS}, got {split!r}')
        os.makedirs(osp.join(paths['videos'], split), exist_ok=True)
        count = cfg.num_train if split == 'train' else cfg.num_val
        tasks = [(cfg, split, i, root) for i in range(count)]
        if num_workers > 0 and count > 0:
            lines = track_parallel_progress(
                _generate_one, tasks, nproc=num_workers, chunksize=8)
        elif count > 0:
            lines = track_progress(_generate_one, tasks)
        else:
            lines = []
        with open(paths[split], 'w') as f:
            f.writelines(line + '\n' for line in lines)
    with open(paths['classes'], 'w') as f:
        f.writelines(name + '\n' for name in cfg.classes)
    with open(paths['meta'], 'w') as f:
        json.dump(
            dict(config=config_record(cfg), classes=list(cfg.classes)),
            f,
            indent=2)
    return paths
