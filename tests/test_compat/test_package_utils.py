import importlib.util
import os.path as osp

import pytest

import mmsakd  # noqa: F401  (applies the compat fixes)
from mmsakd.compat.package_utils import (get_installed_path, is_installed,
                                         patch_package_utils)

NO_PKG_RESOURCES = importlib.util.find_spec('pkg_resources') is None
needs_no_pkg_resources = pytest.mark.skipif(
    not NO_PKG_RESOURCES, reason='pkg_resources is installed: no fix needed')

MISSING = 'mmsakd-surely-not-installed-pkg'
SLOWFAST_BASE = 'mmaction::_base_/models/slowfast_r50.py'


def _has_distribution(name):
    from importlib import metadata
    try:
        metadata.distribution(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def test_is_installed_module_and_distribution_names():
    assert is_installed('mmaction') is True  # module name
    assert is_installed('mmaction2') is True  # distribution name
    assert is_installed('mmengine') is True
    assert is_installed(MISSING) is False
    assert is_installed('') is False  # find_spec('') raises ValueError


def test_get_installed_path_of_mmaction():
    import mmaction
    expected = osp.dirname(mmaction.__file__)
    assert get_installed_path('mmaction') == expected
    # The distribution name maps to the same module.
    assert get_installed_path('mmaction2') == expected
    assert osp.isdir(osp.join(expected, '.mim', 'configs'))


@pytest.mark.skipif(
    not _has_distribution('mmcv-lite'), reason='mmcv-lite not installed')
def test_distribution_named_unlike_its_module():
    import mmcv
    assert is_installed('mmcv-lite') is True
    assert get_installed_path('mmcv-lite') == osp.dirname(mmcv.__file__)


def test_distribution_with_several_top_level_modules():
    # torch's top_level.txt lists functorch, torch and torchgen: the folder
    # is torch's, as with mmengine's pkg_resources lookup.
    import torch
    assert get_installed_path('torch') == osp.dirname(torch.__file__)


def test_missing_package_raises_naming_it():
    with pytest.raises(ModuleNotFoundError, match=MISSING):
        get_installed_path(MISSING)


@needs_no_pkg_resources
def test_pkg_resources_is_absent_which_is_why_the_fix_exists():
    with pytest.raises(ModuleNotFoundError, match='pkg_resources'):
        import pkg_resources  # noqa: F401


@needs_no_pkg_resources
def test_mmengine_lookups_fail_without_the_fix(python_runner):
    # A fresh interpreter that never imports mmsakd has mmengine's originals.
    result = python_runner('from mmengine.utils import get_installed_path\n'
                           "get_installed_path('mmaction')")
    assert result.returncode != 0
    assert "No module named 'pkg_resources'" in result.stderr


@needs_no_pkg_resources
def test_patch_is_active_and_idempotent():
    import mmengine.config.config as config_module
    import mmengine.hub.hub as hub_module
    import mmengine.utils as utils
    import mmengine.utils.package_utils as package_utils

    assert mmsakd.COMPAT_FIXES['package_utils'] is True
    assert patch_package_utils() is True
    assert patch_package_utils() is True
    for module in (package_utils, utils, config_module, hub_module):
        assert module.is_installed is is_installed, module.__name__
        assert module.get_installed_path is get_installed_path, \
            module.__name__


@needs_no_pkg_resources
def test_package_base_config_loads(tmp_path):
    from mmengine.config import Config
    cfg_file = tmp_path / 'child.py'
    cfg_file.write_text(f"_base_ = ['{SLOWFAST_BASE}']\n"
                        'model = dict(cls_head=dict(num_classes=7))\n')
    cfg = Config.fromfile(str(cfg_file))
    assert cfg.model.type == 'Recognizer3D'
    assert cfg.model.backbone.type == 'ResNet3dSlowFast'
    assert cfg.model.cls_head.type == 'SlowFastHead'
    assert cfg.model.cls_head.num_classes == 7  # the child's override


@needs_no_pkg_resources
def test_package_base_config_loads_in_fresh_interpreter(
        python_runner, tmp_path):
    cfg_file = tmp_path / 'child.py'
    cfg_file.write_text(f"_base_ = ['{SLOWFAST_BASE}']\n")
    code = ('from mmengine.config import Config\n'
            'import mmsakd\n'
            f'cfg = Config.fromfile({str(cfg_file)!r})\n'
            'print(cfg.model.type, cfg.model.backbone.type)')
    result = python_runner(code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-2:] == ['Recognizer3D', 'ResNet3dSlowFast']
