import pytest

from mmsakd.compat.drn import mmaction_ships_drn


@pytest.mark.skipif(mmaction_ships_drn(), reason='mmaction ships drn')
def test_mmaction_models_fails_without_fix(python_runner):
    result = python_runner('import mmaction.models')
    assert result.returncode != 0
    assert "No module named 'mmaction.models.localizers.drn'" in \
        result.stderr


def test_mmaction_models_imports_with_fix(python_runner):
    result = python_runner('import mmsakd, mmaction.models\n'
                           'from mmaction.registry import MODELS\n'
                           "print('ResNet3dSlowFast' in MODELS.module_dict)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'True'


@pytest.mark.skipif(mmaction_ships_drn(), reason='mmaction ships drn')
def test_building_drn_raises_clear_error():
    import mmsakd  # noqa: F401
    from mmsakd.registry import MODELS
    with pytest.raises(ImportError, match='DRN is not available'):
        MODELS.build(dict(type='DRN'))


def test_patch_is_idempotent():
    import sys

    from mmsakd.compat import patch_missing_drn
    first = patch_missing_drn()
    module = sys.modules.get('mmaction.models.localizers.drn')
    assert patch_missing_drn() == first
    assert sys.modules.get('mmaction.models.localizers.drn') is module
