import filecmp
import os.path as osp

import decord
import numpy as np
from helpers import TINY_DATA

from mmsakd.datasets.synthetic import (CLASSES, SOURCE_CLASSES,
                                       SyntheticActionConfig,
                                       dataset_is_complete, generate_dataset,
                                       read_annotations)


def _decode(root, relpath):
    reader = decord.VideoReader(osp.join(root, 'videos', relpath))
    return reader.get_batch(list(range(len(reader)))).asnumpy()


def test_format(tiny_data_root):
    for split, count in (('train', TINY_DATA.num_train), ('val',
                                                          TINY_DATA.num_val)):
        items = read_annotations(osp.join(tiny_data_root, f'{split}.txt'))
        assert len(items) == count
        labels = [label for _, label in items]
        assert all(0 <= label < len(CLASSES) for label in labels)
        # Balanced: every class appears once per block of len(CLASSES).
        assert sorted(labels[:len(CLASSES)]) == list(range(len(CLASSES)))
        for relpath, _ in items:
            assert relpath.startswith(f'{split}/') and relpath.endswith('.mp4')
            frames = _decode(tiny_data_root, relpath)
            assert frames.shape == (TINY_DATA.num_frames, TINY_DATA.frame_size,
                                    TINY_DATA.frame_size, 3)
    with open(osp.join(tiny_data_root, 'classes.txt')) as f:
        assert tuple(f.read().split()) == CLASSES
    assert dataset_is_complete(tiny_data_root, TINY_DATA)
    assert not dataset_is_complete(
        tiny_data_root, SyntheticActionConfig(seed=TINY_DATA.seed + 1))


def test_same_seed_same_files_and_frames(tiny_data_root, tmp_path):
    again = generate_dataset(str(tmp_path), TINY_DATA)
    for name in ('train', 'val', 'classes'):
        assert filecmp.cmp(
            again[name],
            osp.join(tiny_data_root, osp.basename(again[name])),
            shallow=False)
    for relpath, _ in read_annotations(again['val']):
        np.testing.assert_array_equal(
            _decode(str(tmp_path), relpath), _decode(tiny_data_root, relpath))


def test_other_seed_other_clips(tmp_path):
    small = dict(num_train=3, num_val=0)
    a = generate_dataset(str(tmp_path / 'a'), SyntheticActionConfig(**small))
    generate_dataset(
        str(tmp_path / 'b'), SyntheticActionConfig(seed=1, **small))
    first = read_annotations(a['train'])[0][0]
    assert not np.array_equal(
        _decode(str(tmp_path / 'a'), first), _decode(
            str(tmp_path / 'b'), first))


def test_larger_dataset_extends_smaller(tiny_data_root, tmp_path):
    cfg = SyntheticActionConfig(
        num_train=TINY_DATA.num_train + 5, num_val=0, seed=TINY_DATA.seed)
    paths = generate_dataset(str(tmp_path), cfg)
    bigger = read_annotations(paths['train'])
    assert bigger[:TINY_DATA.num_train] == read_annotations(
        osp.join(tiny_data_root, 'train.txt'))


def test_source_classes_dataset(tmp_path):
    cfg = SyntheticActionConfig(
        num_train=len(SOURCE_CLASSES), num_val=0, classes=SOURCE_CLASSES)
    paths = generate_dataset(str(tmp_path), cfg)
    labels = [label for _, label in read_annotations(paths['train'])]
    assert sorted(labels) == list(range(len(SOURCE_CLASSES)))
    with open(paths['classes']) as f:
        assert tuple(f.read().split()) == SOURCE_CLASSES
    assert dataset_is_complete(str(tmp_path), cfg)
    assert not dataset_is_complete(
        str(tmp_path), SyntheticActionConfig(num_train=12, num_val=0))


def test_loads_through_mmaction_decord_pipeline(tiny_data_root):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmsakd  # noqa: F401
    from mmsakd.registry import DATASETS
    init_default_scope('mmsakd')
    cfg = Config.fromfile(
        osp.join(
            osp.dirname(__file__), '../../../configs/_base_/datasets/'
            'synthetic_action.py'))
    dataset_cfg = cfg.val_dataloader.dataset
    dataset_cfg.ann_file = osp.join(tiny_data_root, 'val.txt')
    dataset_cfg.data_prefix = dict(video=osp.join(tiny_data_root, 'videos'))
    dataset = DATASETS.build(dataset_cfg)
    assert len(dataset) == TINY_DATA.num_val
    items = read_annotations(osp.join(tiny_data_root, 'val.txt'))
    for index in (0, len(dataset) - 1):
        sample = dataset[index]
        inputs = sample['inputs']
        assert tuple(inputs.shape) == (1, 3, TINY_DATA.num_frames,
                                       TINY_DATA.frame_size,
                                       TINY_DATA.frame_size)
        meta = sample['data_samples']
        assert meta.sample_idx == index
        assert int(meta.gt_label) == items[index][1]
        # Same pixels as decoding the file directly (RGB, all frames).
        direct = _decode(tiny_data_root, items[index][0])
        np.testing.assert_array_equal(inputs[0].permute(1, 2, 3, 0).numpy(),
                                      direct)
