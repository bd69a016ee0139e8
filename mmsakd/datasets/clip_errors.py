"""Name the clip whose loading fails, in every phase.

A truncated or missing video fails deep in a transform (decord's ``Error
reading 4108 bytes...`` or ``FileNotFoundError``), inside a dataloader
worker, and MMAction2's datasets say nothing of which clip it was. Wrapping
``BaseActionDataset.prepare_data`` covers training, the SAKD scoring pass,
validation and testing alike, since they all read clips through it, and
MMAction2 has no hook at that level. The error raised names the dataset,
its annotation file, the clip's line in it and the file, and points to the
pre-flight checker; the original error is chained. A dataloader worker
passes the message to the main process.
"""
import functools
import os.path as osp
from typing import Optional

#: The attribute that marks an already wrapped ``prepare_data``.
_WRAPPED = '_mmsakd_names_clips'


class ClipLoadError(RuntimeError):
    """Loading (or transforming) one clip of a dataset failed."""


def annotation_line(ann_file: str, name: str) -> Optional[int]:
    """The 1-based line of ``ann_file`` whose first field is ``name``.

    Args:
        ann_file (str): A text annotation list.
        name (str): The clip's file name as the list writes it.

    Returns:
        int, optional: None if the list is not text or has no such line.
    """
    try:
        with open(ann_file) as f:
            for number, line in enumerate(f, start=1):
                fields = line.split()
                if fields and fields[0] == name:
                    return number
    except (OSError, UnicodeDecodeError):
        return None
    return None


def describe_clip(dataset, idx: int) -> str:
    """Where clip ``idx`` of ``dataset`` comes from: dataset, annotation
    file and line, and the file read.

    Args:
        dataset: An MMAction2 dataset.
        idx (int): The clip's index in the dataset.

    Returns:
        str: One line, e.g. ``clip 17 of VideoDataset (train.txt, line 18):
        /data/videos/a.mp4``.
    """
    ann_file = getattr(dataset, 'ann_file', '') or ''
    try:
        info = dataset.get_data_info(idx)
    except Exception:  # the annotation itself may be what is broken
        info = {}
    path = info.get('filename') or info.get('frame_dir') or '?'
    where = [ann_file] if ann_file else []
    prefixes = getattr(dataset, 'data_prefix', None) or {}
    prefix = prefixes.get('video') or prefixes.get('img') or ''
    name = osp.relpath(path, prefix) if prefix and path != '?' else path
    line = annotation_line(ann_file, name) if ann_file else None
    if line is not None:
        where.append(f'line {line}')
    source = f' ({", ".join(where)})' if where else ''
    return f'clip {idx} of {type(dataset).__name__}{source}: {path}'


def _checker_hint(dataset) -> str:
    ann_file = getattr(dataset, 'ann_file', '') or 'ANN_FILE'
    prefix = (getattr(dataset, 'data_prefix', None) or {}).get('video')
    option = f' --data-prefix {prefix}' if prefix else ''
    return (f'to find every unreadable clip of the list before training, '
            f'run python tools/data/check_videos.py {ann_file}{option} (or '
            'python -m mmsakd.tools.check_videos from an installed package)')


def name_clip_errors(dataset_cls: type) -> type:
    """Make ``dataset_cls.prepare_data`` raise :class:`ClipLoadError`
    naming the clip when it fails. Idempotent.

    Args:
        dataset_cls (type): A dataset class with ``prepare_data(idx)``.

    Returns:
        type: ``dataset_cls``, changed in place.
    """
    original = dataset_cls.prepare_data
    if getattr(original, _WRAPPED, False):
        return dataset_cls

    @functools.wraps(original)
    def prepare_data(self, idx):
        try:
            return original(self, idx)
        except ClipLoadError:
            raise
        except Exception as err:
            raise ClipLoadError(f'cannot load {describe_clip(self, idx)}: '
                                f'{type(err).__name__}: {err}\n'
                                f'Hint: {_checker_hint(self)}') from err

    setattr(prepare_data, _WRAPPED, True)
    dataset_cls.prepare_data = prepare_data
    return dataset_cls


def patch_clip_errors() -> bool:
    """Name failing clips in every MMAction2 dataset. Idempotent.

    Returns:
        bool: True once ``BaseActionDataset.prepare_data`` is wrapped.
    """
    from mmaction.datasets import BaseActionDataset
    name_clip_errors(BaseActionDataset)
    return True
