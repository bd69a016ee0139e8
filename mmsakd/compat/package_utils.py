"""Package lookups of mmengine without ``pkg_resources``.

mmengine 0.10.7 finds installed OpenMMLab packages with ``pkg_resources``
(``is_installed``, ``get_installed_path``), which setuptools >= 81 no longer
provides. Without it, every ``package::path`` config reference fails: a
``_base_ = 'mmaction::recognition/...'`` inheritance or
``mmengine.hub.get_config('mmaction::...')`` raises ``ModuleNotFoundError:
No module named 'pkg_resources'``. The replacements below answer the same
questions with ``importlib`` and are installed only where ``pkg_resources``
is missing.
"""
import importlib.util
import os.path as osp

# Modules that bound the two functions by name at import time.
_BOUND_IN = ('mmengine.utils.package_utils', 'mmengine.utils',
             'mmengine.config.config', 'mmengine.hub.hub')


def _package_module(package: str) -> str:
    """The import name of a distribution (``mmcv-lite`` -> ``mmcv``).

    A distribution with several top-level modules (``torch`` ships
    ``functorch``, ``torch`` and ``torchgen``) maps to the one named like
    it, as mmengine's ``get_installed_path`` does; otherwise to the first.
    """
    from importlib import metadata
    default = package.replace('-', '_')
    try:
        top_level = metadata.distribution(package).read_text('top_level.txt')
    except metadata.PackageNotFoundError:
        top_level = None
    modules = top_level.split() if top_level else []
    if not modules or default in modules:
        return default
    return modules[0]


def is_installed(package: str) -> bool:
    """Whether ``package`` (a distribution or module name) is importable."""
    try:
        return importlib.util.find_spec(_package_module(package)) is not None
    except (ImportError, ValueError):
        return False


def get_installed_path(package: str) -> str:
    """The folder of the installed module of ``package``.

    Raises:
        ModuleNotFoundError: If it is not installed.
        RuntimeError: If it is a namespace package.
    """
    module = _package_module(package)
    spec = importlib.util.find_spec(module)
    if spec is None:
        raise ModuleNotFoundError(
            f'package {package!r} (module {module!r}) is not installed')
    if spec.origin is None:
        raise RuntimeError(f'{package} is a namespace package, which is '
                           'invalid for `get_installed_path`')
    return osp.dirname(spec.origin)


def patch_package_utils() -> bool:
    """Install the ``importlib`` lookups where ``pkg_resources`` is missing.

    Idempotent.

    Returns:
        bool: Whether the replacements are active.
    """
    import importlib as _importlib
    if importlib.util.find_spec('pkg_resources') is not None:
        return False
    for name in _BOUND_IN:
        module = _importlib.import_module(name)
        module.is_installed = is_installed
        module.get_installed_path = get_installed_path
    return True
