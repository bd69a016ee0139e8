"""Finding the config files a study names, and the key of a run's settings
that tells a finished run from a stale one."""
import hashlib
import json
import os
import os.path as osp
from typing import Optional, Sequence

from mmengine.config import Config

from mmsakd.datasets.synthetic.annotations import config_record

#: The prefix of the configs shipped with mmsakd, as in ``_base_`` paths.
PACKAGE_PREFIX = 'mmsakd::'


def config_file(relpath: str) -> str:
    """The path of ``configs/<relpath>``, in the repository or, for an
    installed package, in ``mmsakd/.mim/configs``."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    for root in (osp.join(osp.dirname(package),
                          'configs'), osp.join(package, '.mim', 'configs')):
        path = osp.join(root, relpath)
        if osp.isfile(path):
            return path
    raise FileNotFoundError(f'config {relpath!r} not found under configs/ '
                            'or mmsakd/.mim/configs')


def resolve_config(path: str, base_dir: Optional[str] = None) -> str:
    """The absolute path of a config named as in a study or on the command
    line.

    Args:
        path (str): ``mmsakd::<folder>/<file>.py`` (a config shipped with
            mmsakd), ``<package>::<path>`` (one shipped with another
            OpenMMLab package), or a file path, relative to ``base_dir``.
        base_dir (str, optional): The folder relative paths start from;
            None: the current directory. Defaults to None.

    Returns:
        str: The config file's absolute path.
    """
    if not isinstance(path, str) or not path:
        raise ValueError(f'config must be a non-empty path, got {path!r}')
    if path.startswith(PACKAGE_PREFIX):
        return config_file(path[len(PACKAGE_PREFIX):])
    if '::' in path:
        from mmengine.utils import get_installed_path
        package, relpath = path.split('::', 1)
        found = osp.join(
            get_installed_path(package), '.mim', 'configs', relpath)
    else:
        found = osp.expanduser(path)
        if base_dir is not None:
            found = osp.join(base_dir, found)
    if not osp.isfile(found):
        raise FileNotFoundError(f'config {path!r} not found ({found})')
    return osp.abspath(found)


#: Keys that say where a run is, not what it does.
_PLACE_KEYS = ('work_dir', 'resume')
#: Keys of the data paths, which the data settings of a regime stand for.
_DATA_KEYS = ('data_root', 'ann_file', 'data_prefix', 'ann_file_train',
              'ann_file_val', 'ann_file_test')
_CHECKPOINT_KEYS = ('teacher_ckpt', 'student_ckpt', 'load_from')


def fingerprint(cfg: Config, data_cfgs: Optional[Sequence] = None) -> str:
    """A 12-hex-digit key of a config and the data it trains on.

    Machine-specific parts are left out, so that the same settings give the
    same key in any clone: the work dir and resume flag, the folders of
    checkpoints (their file names carry their own keys) and of config
    files. With ``data_cfgs`` (the synthetic data settings of a regime) the
    data paths are left out too, the settings standing for them; without,
    the paths are the only record of the data and stay in the key.

    Args:
        cfg (Config): The run's complete config.
        data_cfgs (Sequence, optional): The data settings the run trains
            on (``SyntheticActionConfig``; None entries are skipped),
            recorded as ``meta.json`` records them. Defaults to None.

    Returns:
        str: The key.
    """
    if data_cfgs is None:
        content = dict(config=_portable(cfg.to_dict(), _PLACE_KEYS))
    else:
        content = dict(
            config=_portable(cfg.to_dict(), _PLACE_KEYS + _DATA_KEYS),
            data=[config_record(d) for d in data_cfgs if d is not None])
    return hashlib.sha256(
        json.dumps(content, sort_keys=True,
                   default=str).encode()).hexdigest()[:12]


def _portable(value, dropped: Sequence[str]):
    """``value`` without the keys ``dropped``, checkpoint paths reduced to
    file names and config paths to their part under ``configs/``."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in dropped:
                continue
            if key in _CHECKPOINT_KEYS and isinstance(item, str):
                item = osp.basename(item)
            elif key == 'cfg_path' and isinstance(item, str):
                item = osp.normpath(item).replace(os.sep, '/')
                item = item.rsplit('/configs/', 1)[-1]
            out[key] = _portable(item, dropped)
        return out
    if isinstance(value, (list, tuple)):
        return [_portable(item, dropped) for item in value]
    return value
