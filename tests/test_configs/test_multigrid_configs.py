"""The multigrid configs (configs/multigrid/): each is its vanilla KD
namesake with the training set wrapped in MultigridClips, the multigrid
batch sampler over a SubsetSampler and MultigridHook, nothing else; every
planned clip length suits the slow pathways of its pair; the tiny config
loads clips in the planned shapes."""
import glob
import os.path as osp

import pytest
from helpers import REPO_ROOT
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmsakd  # noqa: F401
from mmsakd.datasets import MultigridClips, MultigridSchedule
from mmsakd.models.utils.model_config import resolve_model_cfg
from mmsakd.registry import DATASETS

FOLDER = 'configs/multigrid'
TINY = f'{FOLDER}/kd_multigrid_slowfast_tiny_synthetic.py'
STORE_TINY = f'{FOLDER}/kd_multigrid_store_slowfast_tiny_synthetic.py'
BASES = {
    TINY: 'configs/synthetic/kd_slowfast_tiny_synthetic.py',
    **{
        f'{FOLDER}/kd_multigrid_{model}_{data}.py':
        f'configs/kd/kd_{model}_{data}.py'
        for model in ('slowfast', 'tpn', 'swin')
        for data in ('ucf101', 'kinetics400')
    }
}


def _load(path):
    return Config.fromfile(osp.join(REPO_ROOT, path))


def test_the_folder_holds_these_configs():
    found = sorted(
        osp.relpath(p, REPO_ROOT)
        for p in glob.glob(osp.join(REPO_ROOT, FOLDER, '*.py')))
    assert found == sorted([*BASES, STORE_TINY])


@pytest.mark.parametrize('config', sorted(BASES))
def test_config_is_its_base_with_multigrid(config):
    cfg = _load(config).to_dict()
    base = _load(BASES[config]).to_dict()
    loader = cfg['train_dataloader']
    wrapper = loader.pop('dataset')
    assert wrapper.pop('type') == 'MultigridClips'
    inner = wrapper.pop('dataset')
    base_inner = base['train_dataloader'].pop('dataset')
    if config == TINY:
        # The tiny pipeline gains the fixed-size Resize the wrapper sets.
        pipeline = inner.pop('pipeline')
        resize = dict(type='Resize', scale=(32, 32), keep_ratio=False)
        assert pipeline.pop(3) == resize
        assert pipeline == base_inner.pop('pipeline')
        for key in ('ann_file', 'data_prefix'):
            inner.pop(key), base_inner.pop(key)
    assert inner == base_inner
    schedule = wrapper.pop('schedule')
    assert schedule.pop('type') == 'MultigridSchedule'
    # The namesake's shape for the last fifth of the epochs.
    epochs = cfg['train_cfg']['max_epochs']
    assert schedule == dict(until_epoch=epochs * 4 // 5)
    assert set(wrapper) <= {'frame_divisor'}
    assert loader.pop('batch_sampler') == dict(type='MultigridBatchSampler')
    assert loader.pop('sampler') == dict(type='SubsetSampler', shuffle=True)
    assert base['train_dataloader'].pop('sampler') == dict(
        type='DefaultSampler', shuffle=True)
    # The tiny pair trains with AdamW: the square-root rule.
    hook = dict(type='MultigridHook')
    if config == TINY:
        hook.update(lr_scaling='sqrt')
    assert cfg.pop('custom_hooks') == [hook]
    if config == TINY:
        # Its own train_pipeline variable: the one inside the wrapper.
        assert cfg.pop('train_pipeline')[3] == resize
        base.pop('train_pipeline')
    assert cfg == base


@pytest.mark.parametrize('config', sorted(BASES))
def test_planned_clips_suit_both_slow_pathways(config):
    cfg = _load(config)
    wrapper = cfg.train_dataloader.dataset
    schedule = MultigridSchedule(until_epoch=wrapper.schedule.until_epoch)
    sampler = next(step for step in wrapper.dataset.pipeline
                   if step.type == 'SampleFrames')
    divisor = wrapper.get('frame_divisor', 1)
    lengths = {
        schedule.clip_shape(epoch, code, sampler.clip_len,
                            sampler.frame_interval, (224, 224), 8, divisor)[0]
        for epoch in range(cfg.train_cfg.max_epochs)
        for code in range(len(schedule.space_factors(epoch)))
    }
    assert max(lengths) == sampler.clip_len
    for role in ('student', 'teacher'):
        backbone = resolve_model_cfg(cfg.model[role], role)['backbone']
        stride = backbone.get(
            'resample_rate',
            1) if backbone['type'] == 'ResNet3dSlowFast' else 1
        assert all(length % stride == 0 for length in lengths), (role, lengths)


def test_tiny_training_set_loads_the_planned_shapes(tiny_data_root):
    dataset_cfg = _load(TINY).train_dataloader.dataset
    dataset_cfg.dataset.update(
        ann_file=osp.join(tiny_data_root, 'train.txt'),
        data_prefix=dict(video=osp.join(tiny_data_root, 'videos')))
    init_default_scope('mmsakd')
    dataset = DATASETS.build(dataset_cfg)
    assert isinstance(dataset, MultigridClips)
    for epoch in (0, 9):
        dataset.set_epoch(epoch)
        for idx in range(3):
            frames, _, (width, height) = dataset.clip_shape(epoch, idx)
            assert dataset[idx]['inputs'].shape == (1, 3, frames, height,
                                                    width)


def test_store_config_is_the_tiny_one_with_replay_and_the_store():
    cfg = _load(STORE_TINY).to_dict()
    base = _load(TINY).to_dict()
    wrapper = cfg['train_dataloader'].pop('dataset')
    assert wrapper.pop('type') == 'ReplayAugmentation'
    assert wrapper.pop('dataset') == base['train_dataloader'].pop('dataset')
    assert wrapper == dict(seed=0, num_views=None)
    hooks = cfg.pop('custom_hooks')
    assert hooks[0] == base.pop('custom_hooks')[0]
    assert [hook['type'] for hook in hooks[1:]
            ] == ['ReplayAugmentationHook', 'TeacherStoreHook']
    for key in ('store_root', 'store_hooks', 'store_hooks_top20'):
        cfg.pop(key)
    assert cfg == base
