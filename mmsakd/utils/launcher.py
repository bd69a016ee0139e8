from mmengine.config import Config


def apply_launcher_defaults(cfg: Config) -> Config:
    """Fill in what distributed runs need and a plain MMAction2 config lacks.

    mmengine's default DDP wrapper passes ``device_ids=[LOCAL_RANK]``, which
    fails for CPU modules; when a config names no ``model_wrapper_cfg``, use
    :class:`DeviceAwareDistributedDataParallel`, which behaves the same on
    GPUs. Non-distributed runs are unaffected.

    Args:
        cfg (Config): The merged config, modified in place.

    Returns:
        Config: ``cfg``.
    """
    if cfg.get('launcher',
               'none') != 'none' and cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(type='DeviceAwareDistributedDataParallel')
    return cfg
