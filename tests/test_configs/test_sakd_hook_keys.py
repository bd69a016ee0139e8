"""Every shipped config sets the SAKD hook with the keys of its components
(docs/method.md's table), none of the deprecated flat arguments."""
import glob
import os.path as osp
import warnings

import pytest
from helpers import REPO_ROOT
from mmengine.config import Config

import mmsakd  # noqa: F401
from mmsakd.engine.hooks import SAKDHook
from mmsakd.registry import HOOKS

CONFIGS = sorted(
    osp.relpath(path, REPO_ROOT) for path in glob.glob(
        osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
    if '/_base_/' not in path)


@pytest.mark.parametrize('config', CONFIGS)
def test_sakd_hook_builds_without_deprecated_keys(config):
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    hook_cfg = cfg.get('default_hooks', {}).get('sakd')
    if hook_cfg is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter('error', DeprecationWarning)
        hook = HOOKS.build(hook_cfg)
    assert isinstance(hook, SAKDHook)


def test_a_sakd_config_has_the_hook():
    # The test above checks something: SAKD configs set the hook.
    config = 'configs/synthetic/sakd_slowfast_tiny_synthetic.py'
    assert config in CONFIGS
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    assert cfg.default_hooks.sakd.type == 'SAKDHook'
