import textwrap

from helpers import REPO_ROOT

USER_CFG = "_base_ = 'mmsakd::_base_/default_runtime.py'\n"


def _load_user_config(python_runner, tmp_path, import_mmsakd):
    path = tmp_path / 'user_cfg.py'
    path.write_text(USER_CFG)
    code = textwrap.dedent(f"""
        {'import mmsakd' if import_mmsakd else ''}
        from mmengine.config import Config
        cfg = Config.fromfile({str(path)!r})
        print(cfg.filename)
        print(cfg.default_scope)
        """)
    return python_runner(code)


def test_mmsakd_paths_fail_without_fix(python_runner, tmp_path):
    result = _load_user_config(python_runner, tmp_path, import_mmsakd=False)
    assert result.returncode != 0
    assert 'does not support to load mmsakd config' in result.stderr


def test_mmsakd_paths_resolve_to_the_package_configs(python_runner, tmp_path):
    result = _load_user_config(python_runner, tmp_path, import_mmsakd=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == [str(tmp_path / 'user_cfg.py'), 'mmsakd']


def test_patch_is_idempotent():
    from mmengine.config.utils import MODULE2PACKAGE

    from mmsakd.compat import patch_config_package
    first = patch_config_package()
    assert patch_config_package() == first
    assert MODULE2PACKAGE['mmsakd'] == 'mmsakd'


def test_editable_checkout_links_its_configs():
    import os.path as osp

    from mmengine.utils import get_installed_path

    import mmsakd  # noqa: F401
    configs = osp.join(get_installed_path('mmsakd'), '.mim', 'configs')
    assert osp.samefile(configs, osp.join(REPO_ROOT, 'configs'))
