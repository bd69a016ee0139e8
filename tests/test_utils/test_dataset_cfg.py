"""Reading and wrapping dataset configs through their wrappers."""
from mmengine.config import Config

from mmsakd.utils.dataset_cfg import (innermost, replay_training_views,
                                      wrapper_types)

VIDEOS = dict(type='VideoDataset', ann_file='a.txt', pipeline=[])


def _cfg(dataset, hooks=None):
    cfg = Config(dict(train_dataloader=dict(dataset=dataset)))
    if hooks is not None:
        cfg.custom_hooks = hooks
    return cfg


def test_innermost_and_wrapper_types():
    chain = dict(
        type='SkipBrokenClips',
        dataset=dict(type='MultigridClips', dataset=dict(VIDEOS)))
    assert wrapper_types(chain) == [
        'SkipBrokenClips', 'MultigridClips', 'VideoDataset'
    ]
    assert innermost(chain) is chain['dataset']['dataset']
    assert wrapper_types(dict(VIDEOS)) == ['VideoDataset']


def test_replay_training_views_wraps_outermost():
    cfg = _cfg(
        dict(type='MultigridClips', dataset=dict(VIDEOS)),
        hooks=[dict(type='MultigridHook')])
    replay_training_views(cfg, seed=3)
    dataset = cfg.train_dataloader.dataset
    assert wrapper_types(dataset) == [
        'ReplayAugmentation', 'MultigridClips', 'VideoDataset'
    ]
    assert dataset.seed == 3
    assert [h['type'] for h in cfg.custom_hooks
            ] == ['MultigridHook', 'ReplayAugmentationHook']


def test_replay_training_views_inside_skip_broken_clips():
    cfg = _cfg(dict(type='SkipBrokenClips', dataset=dict(VIDEOS)))
    replay_training_views(cfg)
    assert wrapper_types(cfg.train_dataloader.dataset) == [
        'SkipBrokenClips', 'ReplayAugmentation', 'VideoDataset'
    ]
    assert [h['type'] for h in cfg.custom_hooks] == ['ReplayAugmentationHook']


def test_replay_training_views_keeps_an_existing_wrapper_and_hook():
    dataset = dict(
        type='SkipBrokenClips',
        dataset=dict(type='ReplayAugmentation', seed=5, dataset=VIDEOS))
    hooks = [dict(type='ReplayAugmentationHook'), dict(type='X')]
    cfg = _cfg(dataset, hooks)
    replay_training_views(cfg)
    assert cfg.train_dataloader.dataset == dataset
    assert cfg.custom_hooks == hooks
