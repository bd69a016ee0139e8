"""The files of a generated synthetic dataset: their paths, the
annotation lists, and whether a dataset is complete."""
import json
import os.path as osp
from dataclasses import asdict
from typing import Dict, List, Optional, Tuple

from .config import SyntheticActionConfig


def annotation_paths(root: str) -> Dict[str, str]:
    """Files that :func:`generate_dataset` writes under ``root``."""
    return dict(
        train=osp.join(root, 'train.txt'),
        val=osp.join(root, 'val.txt'),
        classes=osp.join(root, 'classes.txt'),
        meta=osp.join(root, 'meta.json'),
        videos=osp.join(root, 'videos'))


def clip_relpath(split: str, index: int, clips_per_group: int = 1) -> str:
    """Path of a clip under ``videos/``, as the annotation lists give it.

    Grouped clips are named as UCF101's are, ``..._g<group>_c<clip>``, so
    that :func:`mmsakd.datasets.groups.clip_groups` reads the groups of
    either from the list.
    """
    if clips_per_group == 1:
        return f'{split}/{split}_{index:05d}.mp4'
    group, clip = divmod(index, clips_per_group)
    return f'{split}/{split}_g{group:04d}_c{clip:02d}.mp4'


def dataset_is_complete(root: str,
                        cfg: Optional[SyntheticActionConfig] = None) -> bool:
    """Whether ``root`` holds a finished dataset (made with ``cfg``)."""
    paths = annotation_paths(root)
    if not all(osp.isfile(paths[k]) for k in ('train', 'val', 'meta')):
        return False
    if cfg is None:
        return True
    with open(paths['meta']) as f:
        return json.load(f).get('config') == config_record(cfg)


def config_record(cfg: SyntheticActionConfig) -> dict:
    """The config as ``meta.json`` holds it (JSON types only).

    ``clip_len`` is left out while None and ``clips_per_group`` while 1,
    so that the files of a dataset written before those fields existed (and
    the benchmark's keys computed from this record) still match the same
    settings.
    """
    record = json.loads(json.dumps(asdict(cfg)))
    if record['clip_len'] is None:
        del record['clip_len']
    if record['clips_per_group'] == 1:
        del record['clips_per_group']
    return record


def read_annotations(ann_file: str) -> List[Tuple[str, int]]:
    """Read a ``VideoDataset`` list; errors name the file and line."""
    items = []
    with open(ann_file) as f:
        for line_no, line in enumerate(f, 1):
            parts = line.split()
            if len(parts) != 2 or not parts[1].lstrip('-').isdigit():
                raise ValueError(f'{ann_file}:{line_no}: expected '
                                 f'"<path> <label>", got {line.rstrip()!r}')
            items.append((parts[0], int(parts[1])))
    return items
