"""Model configs given inline or by the path of a config file."""
import copy
import os.path as osp

from mmengine.config import Config, ConfigDict


def resolve_model_cfg(cfg: dict, name: str) -> dict:
    """A plain model dict from ``cfg``, resolving ``cfg_path``.

    ``cfg`` is either a model dict (``dict(type='Recognizer3D', ...)``),
    returned as a copy, or ``dict(cfg_path=PATH, **kw)``: the ``model`` of
    the config file ``PATH`` (see :func:`load_config`) with ``kw`` merged
    into it, e.g. ``cls_head=dict(dropout_ratio=0.)``.

    Args:
        cfg (dict): The model config.
        name (str): Its key under ``model`` (``'student'``, ``'teacher'``),
            for error messages.

    Returns:
        dict: The model config, a new dict.
    """
    if not isinstance(cfg, dict):
        raise TypeError(f'model.{name} must be a model config dict or '
                        f'dict(cfg_path=...), got {type(cfg).__name__}')
    cfg = cfg.to_dict() if isinstance(cfg, ConfigDict) else copy.deepcopy(
        dict(cfg))
    cfg_path = cfg.pop('cfg_path', None)
    if cfg_path is None:
        if 'type' not in cfg:
            raise ValueError(f'model.{name} must have "type" (a model config) '
                             'or "cfg_path" (a config file with `model`), got '
                             f'keys {sorted(cfg)}')
        return cfg
    file_cfg = load_config(cfg_path, name)
    if 'model' not in file_cfg:
        raise KeyError(f'model.{name}.cfg_path={cfg_path!r} defines no '
                       '`model`')
    merged = Config(dict(model=file_cfg.model.to_dict()))
    if cfg:
        merged.merge_from_dict(dict(model=cfg))
    return merged.model.to_dict()


def load_config(cfg_path: str, name: str) -> Config:
    """Load the config file named by ``model.<name>.cfg_path``.

    A relative path is resolved against the current directory (configs
    name their neighbours absolutely with ``{{ fileDirname }}``);
    ``package::path`` names a config shipped with an installed OpenMMLab
    package (``mmsakd::``, ``mmaction::``), loaded by MMEngine's
    :func:`~mmengine.hub.get_config`.

    Args:
        cfg_path (str): The path.
        name (str): The model's key under ``model``, for error messages.

    Returns:
        Config: The loaded config.
    """
    if not isinstance(cfg_path, str):
        raise TypeError(f'model.{name}.cfg_path must be a path (str), got '
                        f'{type(cfg_path).__name__}')
    if '::' in cfg_path:
        from mmengine.hub import get_config
        return get_config(cfg_path)
    path = osp.abspath(osp.expanduser(cfg_path))
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'model.{name}.cfg_path: config file not found: {cfg_path!r} '
            f'(looked for {path}; a relative path is resolved against the '
            'current directory)')
    return Config.fromfile(path)
