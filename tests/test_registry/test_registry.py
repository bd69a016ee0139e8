import pytest
from mmengine.registry import DefaultScope, init_default_scope

import mmsakd  # noqa: F401
from mmsakd import registry


def test_registries_are_children_of_mmaction():
    import mmaction.registry as mmaction_registry
    for name in registry.__all__:
        child = getattr(registry, name)
        assert child.scope == 'mmsakd'
        assert child.parent is getattr(mmaction_registry, name), name


def test_plugin_modules_live_in_the_mmsakd_scope():
    from mmaction.registry import MODELS as MMACTION_MODELS
    assert 'SAKDDistiller' in registry.MODELS.module_dict
    assert 'SAKDHook' in registry.HOOKS.module_dict
    assert 'SubsetSampler' in registry.DATA_SAMPLERS.module_dict
    assert 'DropoutShuffle' in registry.TRANSFORMS.module_dict
    assert 'SAKDDistiller' not in MMACTION_MODELS.module_dict


def test_mmsakd_scope_builds_mmaction_and_mmengine_modules():
    init_default_scope('mmsakd')
    loss = registry.MODELS.build(dict(type='KDLoss', tau=2.0))
    assert type(loss).__name__ == 'KDLoss'
    head = registry.MODELS.build(
        dict(type='I3DHead', num_classes=3, in_channels=8))
    assert type(head).__module__.startswith('mmaction.')
    hook = registry.HOOKS.build(dict(type='IterTimerHook'))
    assert type(hook).__module__.startswith('mmengine.')


def test_lazily_registered_parent_modules_are_found():
    # ActionVisualizer is registered when mmaction.visualization is
    # imported, which only the parent registry's locations do.
    visualizer = registry.VISUALIZERS.get('ActionVisualizer')
    assert visualizer is not None
    assert visualizer.__module__.startswith('mmaction.visualization')


def test_user_modules_in_mmaction_registry_are_found(tmp_path):
    from mmaction.registry import MODELS as MMACTION_MODELS
    from torch import nn

    @MMACTION_MODELS.register_module(force=True)
    class RegisteredIntoMMAction(nn.Module):
        pass

    with DefaultScope.overwrite_default_scope('mmsakd'):
        model = registry.MODELS.build(dict(type='RegisteredIntoMMAction'))
    assert isinstance(model, RegisteredIntoMMAction)
    with pytest.raises(KeyError):
        registry.MODELS.build(dict(type='NotRegisteredAnywhere'))
