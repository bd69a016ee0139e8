import filecmp
import os.path as osp

import decord
import numpy as np
import pytest
from helpers import TINY_DATA

from mmsakd.datasets.synthetic import (CLASSES, SOURCE_CLASSES,
                                       SyntheticActionConfig,
                                       dataset_is_complete, generate_dataset,
                                       read_annotations)
from mmsakd.datasets.synthetic.generator import _actor_track


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


@pytest.mark.parametrize('name, expected', [('move_right', (1, 0)),
                                            ('move_left', (-1, 0)),
                                            ('move_up', (0, -1)),
                                            ('move_down', (0, 1))])
def test_straight_motions_follow_their_direction(name, expected):
    cfg = SyntheticActionConfig()
    for seed in range(20):
        track, angles = _actor_track(
            CLASSES.index(name), cfg, np.random.default_rng(seed))
        move = track[-1] - track[0]
        # Within the +-25 degree jitter of the class direction.
        cosine = move @ np.array(expected) / np.linalg.norm(move)
        assert cosine >= np.cos(np.deg2rad(cfg.angle_jitter)) - 1e-9
        assert np.all(angles == angles[0])


def test_order_and_rotation_classes():
    cfg = SyntheticActionConfig()
    rng = np.random.default_rng(0)
    for _ in range(10):
        track, _ = _actor_track(CLASSES.index('right_then_up'), cfg, rng)
        first = track[3] - track[0]
        last = track[-1] - track[-4]
        assert first[0] > abs(first[1]) * 0.4  # mostly rightwards
        assert -last[1] > abs(last[0]) * 0.4  # mostly upwards
        _, cw = _actor_track(CLASSES.index('rotate_cw'), cfg, rng)
        _, ccw = _actor_track(CLASSES.index('rotate_ccw'), cfg, rng)
        assert np.all(np.diff(cw) > 0) and np.all(np.diff(ccw) < 0)


@pytest.mark.parametrize('name, expected', [('move_up_right', (1, -1)),
                                            ('move_up_left', (-1, -1)),
                                            ('move_down_right', (1, 1)),
                                            ('move_down_left', (-1, 1))])
def test_diagonal_source_motions_follow_their_direction(name, expected):
    cfg = SyntheticActionConfig(classes=SOURCE_CLASSES)
    unit = np.array(expected) / np.sqrt(2)
    for seed in range(20):
        track, _ = _actor_track(
            SOURCE_CLASSES.index(name), cfg, np.random.default_rng(seed))
        move = track[-1] - track[0]
        cosine = move @ unit / np.linalg.norm(move)
        assert cosine >= np.cos(np.deg2rad(cfg.angle_jitter)) - 1e-9


def test_source_turns_and_fixed_axis_oscillations():
    cfg = SyntheticActionConfig(classes=SOURCE_CLASSES)
    rng = np.random.default_rng(0)
    for _ in range(10):
        track, _ = _actor_track(
            SOURCE_CLASSES.index('down_then_left'), cfg, rng)
        first = track[3] - track[0]
        last = track[-1] - track[-4]
        assert first[1] > abs(first[0]) * 0.4  # mostly downwards
        assert -last[0] > abs(last[1]) * 0.4  # mostly leftwards
        for name, axis in (('oscillate_horizontal', 0), ('oscillate_vertical',
                                                         1)):
            track, _ = _actor_track(SOURCE_CLASSES.index(name), cfg, rng)
            spread = np.ptp(track, axis=0)
            assert spread[axis] > spread[1 - axis]


def test_source_classes_dataset(tmp_path):
    assert not set(SOURCE_CLASSES) & set(CLASSES)
    assert len(SOURCE_CLASSES) > len(CLASSES)
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


def test_oscillation_periods_do_not_overlap():
    cfg = SyntheticActionConfig()
    assert cfg.fast_period[1] < cfg.slow_period[0]


@pytest.mark.parametrize('kwargs, name', [
    (dict(frame_size=48), 'frame_size'),
    (dict(num_frames=2), 'num_frames'),
    (dict(num_train=-1), 'num_train'),
    (dict(contrast=(0.8, 0.2)), 'contrast'),
    (dict(classes=('move_right', 'jump')), 'classes'),
    (dict(classes=('move_right', 'move_right')), 'classes'),
    (dict(classes=('move_right', )), 'classes'),
])
def test_bad_config_names_the_field(kwargs, name):
    with pytest.raises(ValueError, match=name):
        SyntheticActionConfig(**kwargs)


def test_bad_annotation_names_file_and_line(tmp_path):
    ann = tmp_path / 'bad.txt'
    ann.write_text('train/a.mp4 1\ntrain/b.mp4\n')
    with pytest.raises(ValueError, match=r'bad.txt:2'):
        read_annotations(str(ann))


def test_interrupted_generation_is_not_complete(tmp_path):
    paths = generate_dataset(
        str(tmp_path), SyntheticActionConfig(num_train=2, num_val=1))
    assert dataset_is_complete(str(tmp_path))
    import os
    os.remove(paths['meta'])
    assert not dataset_is_complete(str(tmp_path))


def test_loads_through_mmaction_decord_pipeline(tiny_data_root):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmsakd  # noqa: F401
    from mmsakd.registry import DATASETS
    init_default_scope('mmsakd')
    cfg = Config.fromfile(
        osp.join(
            osp.dirname(__file__), '../../configs/_base_/datasets/'
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
