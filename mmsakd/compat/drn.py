"""Stand-in for ``mmaction.models.localizers.drn``.

The mmaction2 1.2.0 wheel on PyPI omits the ``drn`` package that
``mmaction/models/localizers/__init__.py`` imports, so ``import
mmaction.models`` fails with ``ModuleNotFoundError``. Registering a stand-in
module before mmaction's models are imported lets everything else import; the
stand-in ``DRN`` raises a clear error if anyone builds it.
"""
import importlib.util
import os.path as osp
import sys
import types

DRN_PACKAGE = 'mmaction.models.localizers.drn'


class DRN:
    """Placeholder for the DRN localizer missing from the installed mmaction2.

    Raises:
        ImportError: Always, on construction.
    """

    def __init__(self, *args, **kwargs) -> None:
        raise ImportError(
            'DRN is not available: the installed mmaction2 package lacks '
            '`mmaction/models/localizers/drn` (a packaging defect of '
            'mmaction2 1.2.0 on PyPI). Install mmaction2 from source to use '
            'the DRN localizer.')


def mmaction_ships_drn() -> bool:
    """Whether the installed mmaction has the ``drn`` package on disk.

    Looks at the file system only, because importing any
    ``mmaction.models`` submodule to find out would trigger the failure.
    """
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return False
    return any(
        osp.isfile(osp.join(root, 'models', 'localizers', 'drn', 'drn.py'))
        for root in spec.submodule_search_locations)


def patch_missing_drn() -> bool:
    """Register the ``drn`` stand-in modules where mmaction lacks them.

    Idempotent; does nothing when mmaction ships ``drn`` or when the stand-in
    is already in ``sys.modules``.

    Returns:
        bool: True if the stand-in is in place after the call.
    """
    if DRN_PACKAGE in sys.modules:
        return getattr(sys.modules[DRN_PACKAGE], '_mmsakd_stand_in', False)
    if importlib.util.find_spec('mmaction') is None or mmaction_ships_drn():
        return False
    package = types.ModuleType(DRN_PACKAGE)
    package.__path__ = []  # a package, so that ``drn.drn`` resolves
    package._mmsakd_stand_in = True
    module = types.ModuleType(f'{DRN_PACKAGE}.drn')
    module.DRN = DRN
    module._mmsakd_stand_in = True
    package.drn = module
    package.DRN = DRN
    sys.modules[DRN_PACKAGE] = package
    sys.modules[f'{DRN_PACKAGE}.drn'] = module
    # Registered so that a config naming ``type='DRN'`` gets the clear error
    # above rather than "not in the registry".
    from mmaction.registry import MODELS
    if 'DRN' not in MODELS.module_dict:
        MODELS.register_module(name='DRN', module=DRN)
    return True
