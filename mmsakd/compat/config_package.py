"""``mmsakd::`` config paths.

MMEngine 0.10.7 resolves ``package::folder/file.py`` (in ``_base_``,
``mmengine.hub.get_config`` and ``Config.fromfile``) only for the packages
named in ``mmengine.config.utils.MODULE2PACKAGE``, a fixed table of
OpenMMLab's own projects; any other name fails with ``AssertionError:
mmengine does not support to load mmsakd config``. Adding ``mmsakd`` there
makes ``_base_ = 'mmsakd::kd/sakd_slowfast_ucf101.py'`` load the config that
ships in ``mmsakd/.mim/configs``.
"""

#: The import name and the distribution name of this package.
PACKAGE = 'mmsakd'


def patch_config_package() -> bool:
    """Register ``mmsakd`` with MMEngine's external-config lookup.

    Idempotent. ``PKG2PROJECT`` is the same dict as ``MODULE2PACKAGE`` in
    mmengine 0.10.7; both are updated in case a version splits them.

    Returns:
        bool: Whether the fix is active (False where MMEngine knows the
        package by itself).
    """
    from mmengine.config import utils
    global _ACTIVE
    if _ACTIVE is None:
        _ACTIVE = utils.MODULE2PACKAGE.get(PACKAGE) != PACKAGE
    for table in (utils.MODULE2PACKAGE, getattr(utils, 'PKG2PROJECT', {})):
        table[PACKAGE] = PACKAGE
    return _ACTIVE


#: Whether mmengine lacked the entry, decided on the first call.
_ACTIVE = None
