"""The teacher-store configs (configs/teacher_store/): each is its vanilla
KD namesake with the training set wrapped in ReplayAugmentation and the
replay and store hooks, nothing else; the paper-size stores fit on disk,
no batch augments for the hook to refuse, and the tiny config's wrapped
training set loads clips tagged with their view."""
import glob
import os.path as osp

import pytest
import torch
from helpers import REPO_ROOT
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmsakd  # noqa: F401
from mmsakd.datasets import ReplayAugmentation
from mmsakd.models.utils import store_nbytes
from mmsakd.models.utils.model_config import resolve_model_cfg
from mmsakd.registry import DATASETS, HOOKS

FOLDER = 'configs/teacher_store'
KD = 'configs/kd'
TINY = f'{FOLDER}/kd_store_slowfast_tiny_synthetic.py'
# Store config -> the vanilla KD config it wraps.
BASES = {
    TINY: 'configs/synthetic/kd_slowfast_tiny_synthetic.py',
    **{
        f'{FOLDER}/kd_store_{model}_{data}.py': f'{KD}/kd_{model}_{data}.py'
        for model in ('slowfast', 'tpn', 'swin')
        for data in ('ucf101', 'kinetics400')
    }
}
PAPER_SIZE = sorted(c for c in BASES if c != TINY)
# Training clips (UCF101 split 1; Kinetics-400, about) and the disk a store
# may take.
NUM_CLIPS = dict(ucf101=9537, kinetics400=240000)
MAX_BYTES = 2 * 2**30
HOOK_TYPES = ['ReplayAugmentationHook', 'TeacherStoreHook']


def _load(path):
    return Config.fromfile(osp.join(REPO_ROOT, path))


def test_the_folder_holds_these_configs():
    found = sorted(
        osp.relpath(p, REPO_ROOT)
        for p in glob.glob(osp.join(REPO_ROOT, FOLDER, '*.py')))
    assert found == sorted(BASES)


@pytest.mark.parametrize('config', sorted(BASES))
def test_config_is_its_base_with_the_wrapper_and_hooks(config):
    store = _load(config).to_dict()
    base = _load(BASES[config]).to_dict()
    wrapper = store['train_dataloader'].pop('dataset')
    assert wrapper.pop('type') == 'ReplayAugmentation'
    assert wrapper.pop('dataset') == base['train_dataloader'].pop('dataset')
    assert sorted(wrapper) == ['num_views', 'seed']
    assert wrapper['seed'] == 0
    # The base's own hooks stay, the two store hooks come last.
    hooks = store.pop('custom_hooks')
    assert hooks[:-2] == base.pop('custom_hooks', [])
    assert [hook['type'] for hook in hooks[-2:]] == HOOK_TYPES
    for hook in hooks[-2:]:
        HOOKS.build(hook)
    # The variables of ../_base_/distill/teacher_store.py.
    for key in ('store_root', 'store_hooks', 'store_hooks_top20'):
        store.pop(key)
    assert store == base


@pytest.mark.parametrize('config', PAPER_SIZE)
def test_paper_size_store_fits_on_disk(config):
    cfg = _load(config)
    num_views = cfg.train_dataloader.dataset.num_views
    views = num_views or cfg.train_cfg.max_epochs
    data = config[:-3].rsplit('_', 1)[1]
    nbytes = store_nbytes(views, NUM_CLIPS[data], cfg.num_classes,
                          cfg.custom_hooks[-1].get('topk'))
    assert nbytes <= MAX_BYTES, (config, nbytes / 2**30)


@pytest.mark.parametrize('config', sorted(BASES))
def test_no_batch_augments_for_the_hook_to_refuse(config):
    # The distiller preprocesses with the student's data preprocessor.
    student = resolve_model_cfg(_load(config).model.student, 'student')
    assert 'blending' not in student['data_preprocessor']


def test_tiny_wrapped_training_set_tags_clips_with_their_view(tiny_data_root):
    dataset_cfg = _load(TINY).train_dataloader.dataset
    dataset_cfg.dataset.update(
        ann_file=osp.join(tiny_data_root, 'train.txt'),
        data_prefix=dict(video=osp.join(tiny_data_root, 'videos')))
    init_default_scope('mmsakd')
    dataset = DATASETS.build(dataset_cfg)
    assert isinstance(dataset, ReplayAugmentation)
    assert len(dataset) == 24
    for epoch in (0, 2):
        dataset.set_epoch(epoch)
        clip = dataset[3]
        meta = clip['data_samples'].metainfo
        assert (meta['aug_view'], meta['sample_idx']) == (epoch, 3)
    # The tiny pipeline has no randomness: the wrapper returns the clip as
    # the dataset inside it loads it.
    assert torch.equal(clip['inputs'], dataset.dataset[3]['inputs'])
