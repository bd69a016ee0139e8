import dataclasses
import importlib.util
import os.path as osp
import random
import re
import sys

import decord
import numpy as np
import pytest
from helpers import REPO_ROOT, TINY_DATA

from mmsakd.datasets.synthetic import generate_dataset

AUG_CONFIG = osp.join(REPO_ROOT,
                      'configs/_base_/datasets/synthetic_action_aug.py')


@pytest.fixture(scope='module')
def aug_datasets(tmp_path_factory):
    """The train and val datasets of the augmented config on two 24-frame
    clips each."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmsakd  # noqa: F401
    from mmsakd.registry import DATASETS
    root = str(tmp_path_factory.mktemp('tiny_synthetic_aug'))
    generate_dataset(
        root,
        dataclasses.replace(
            TINY_DATA, num_train=2, num_val=2, num_frames=24, clip_len=16))
    init_default_scope('mmsakd')
    cfg = Config.fromfile(AUG_CONFIG)
    datasets = {}
    for split in ('train', 'val'):
        dataset_cfg = cfg[f'{split}_dataloader'].dataset
        dataset_cfg.ann_file = osp.join(root, f'{split}.txt')
        dataset_cfg.data_prefix = dict(video=osp.join(root, 'videos'))
        datasets[split] = DATASETS.build(dataset_cfg)
    return root, datasets


def test_config_mirrors_the_plain_one():
    from mmengine.config import Config
    aug = Config.fromfile(AUG_CONFIG)
    plain = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/_base_/datasets/synthetic_action.py'))
    for split in ('train', 'val', 'test'):
        loader, plain_loader = aug[f'{split}_dataloader'], plain[
            f'{split}_dataloader']
        assert {
            k: v
            for k, v in loader.items() if k != 'dataset'
        } == {
            k: v
            for k, v in plain_loader.items() if k != 'dataset'
        }
        assert loader.dataset.ann_file.startswith('data/synthetic_aug/')
        assert loader.dataset.pipeline[-1] == plain_loader.dataset.pipeline[
            -1]  # the same meta_keys
    types = [step['type'] for step in aug.train_pipeline]
    assert 'Flip' not in types and 'RandomResizedCrop' in types
    assert 'RandomResizedCrop' not in [s['type'] for s in aug.val_pipeline]


def test_train_draws_differ_and_val_draws_do_not(aug_datasets):
    root, datasets = aug_datasets
    np.random.seed(0)
    random.seed(0)
    draws = [datasets['train'][0]['inputs'] for _ in range(4)]
    assert all(tuple(d.shape) == (1, 3, 16, 32, 32) for d in draws)
    assert len({d.numpy().tobytes() for d in draws}) == 4
    val = [datasets['val'][1]['inputs'] for _ in range(2)]
    np.testing.assert_array_equal(val[0].numpy(), val[1].numpy())
    # The centre 16 of the 24 frames, uncropped.
    relpath = datasets['val'].get_data_info(1)['filename']
    frames = decord.VideoReader(osp.join(root, 'videos', relpath))
    np.testing.assert_array_equal(
        val[0][0].permute(1, 2, 3, 0).numpy(),
        frames.get_batch(list(range(4, 20))).asnumpy())


def _generate_tool():
    path = osp.join(REPO_ROOT, 'tools/data/synthetic/generate.py')
    spec = importlib.util.spec_from_file_location('generate_synthetic', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('argv, message', [
    (['--num-frames', '8'], r'--num-frames must be >= --clip-len \(16'),
    (['--num-frames', '8', '--clip-len', '3'], '--clip-len must be >= 4'),
])
def test_generate_tool_checks_lengths(monkeypatch, capsys, argv, message):
    tool = _generate_tool()
    monkeypatch.setattr(sys, 'argv', ['generate.py'] + argv)
    with pytest.raises(SystemExit):
        tool.parse_args()
    assert re.search(message, capsys.readouterr().err)
    monkeypatch.setattr(sys, 'argv', ['generate.py', '--num-frames', '24'])
    args = tool.parse_args()
    assert (args.num_frames, args.clip_len) == (24, 16)


def test_generate_tool_checks_grouping(monkeypatch, tmp_path):
    tool = _generate_tool()
    monkeypatch.setattr(sys, 'argv', [
        'generate.py', '--out',
        str(tmp_path), '--num-train', '10', '--clips-per-group', '4'
    ])
    with pytest.raises(
            SystemExit,
            match='num_train must be a multiple of clips_per_group=4'):
        tool.main()
    assert not any(tmp_path.iterdir())  # nothing written
