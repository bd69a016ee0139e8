"""What a teacher's stored outputs depend on, as short digests with names
(docs/method.md#teacher-output-store): the key of a
:class:`~mmsakd.models.utils.TeacherOutputStore`."""
import hashlib
import json
import os.path as osp
from typing import Any, Dict, List

import torch
from torch import nn

#: Parts of a fingerprint, in the order they are reported.
PARTS = ('teacher weights', 'teacher config', 'preprocessing', 'training data',
         'annotation list', 'views')


def digest(data: bytes) -> str:
    """The SHA-256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def config_digest(cfg: Any) -> str:
    """A digest of a config (dict, list, ConfigDict) that does not depend
    on key order; values JSON cannot write are written by ``repr``."""
    return digest(
        json.dumps(_plain(cfg), sort_keys=True, default=repr).encode())


def weights_digest(module: nn.Module) -> str:
    """A digest of a module's tensors (names, dtypes, shapes, values), so
    two checkpoints with the same weights get the same digest."""
    sha = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        tensor = tensor.detach().cpu().contiguous()
        sha.update(f'{name}:{tensor.dtype}:{tuple(tensor.shape)};'.encode())
        sha.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return sha.hexdigest()


def file_digest(path: str) -> str:
    """A digest of a file's content, read in 1 MiB blocks."""
    sha = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            sha.update(block)
    return sha.hexdigest()


def annotation_files(dataset) -> List[str]:
    """The annotation files (``ann_file``) of a dataset and of every dataset
    it wraps, each once, in the order found."""
    found: List[str] = []
    seen = set()

    def visit(obj) -> None:
        if obj is None or id(obj) in seen or isinstance(obj, (str, dict)):
            return
        seen.add(id(obj))
        if isinstance(obj, (list, tuple)):
            for item in obj:
                visit(item)
            return
        ann_file = getattr(obj, 'ann_file', None)
        if isinstance(ann_file, str) and ann_file and ann_file not in found:
            found.append(ann_file)
        for name in ('dataset', 'datasets'):
            visit(getattr(obj, name, None))

    visit(dataset)
    return found


def store_fingerprint(teacher: nn.Module, teacher_cfg: Any,
                      data_preprocessor: nn.Module, dataset_cfg: Any, dataset,
                      num_views: int) -> Dict[str, str]:
    """The fingerprint of a teacher's outputs on a training set.

    Args:
        teacher (nn.Module): The loaded teacher.
        teacher_cfg (Any): Its config (``model.teacher``).
        data_preprocessor (nn.Module): The preprocessor the teacher's inputs
            go through.
        dataset_cfg (Any): The training dataset's config (pipeline,
            annotation file, data prefix, replay seed and views).
        dataset: The built training dataset, for its annotation files.
        num_views (int): Views per sample the store holds.

    Returns:
        dict[str, str]: One digest per name of :data:`PARTS`.
    """
    ann_files = annotation_files(dataset)
    missing = [path for path in ann_files if not osp.isfile(path)]
    if missing:
        raise FileNotFoundError(
            f'annotation file {missing[0]} of the training set is missing; '
            'the teacher-output store is keyed by its content')
    preprocessing = dict(
        type=type(data_preprocessor).__name__,
        format_shape=getattr(data_preprocessor, 'format_shape', None),
        **{
            name: buffer.tolist()
            for name, buffer in data_preprocessor.named_buffers()
        })
    return {
        'teacher weights':
        weights_digest(teacher),
        'teacher config':
        config_digest(teacher_cfg),
        'preprocessing':
        config_digest(preprocessing),
        'training data':
        config_digest(dataset_cfg),
        'annotation list':
        digest(''.join(file_digest(path) for path in ann_files).encode()),
        'views':
        str(num_views),
    }


def fingerprint_name(fingerprint: Dict[str, str]) -> str:
    """A folder name for a fingerprint: 16 hex digits of its digest."""
    return config_digest(fingerprint)[:16]


def _plain(cfg: Any) -> Any:
    if isinstance(cfg, dict):
        return {str(k): _plain(v) for k, v in cfg.items()}
    if isinstance(cfg, (list, tuple)):
        return [_plain(v) for v in cfg]
    return cfg
