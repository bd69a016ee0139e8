import json
import os
import os.path as osp

import pytest

from mmsakd.datasets.synthetic import (SyntheticActionConfig, annotation_paths,
                                       dataset_is_complete, generate_dataset,
                                       read_annotations)
from mmsakd.datasets.synthetic.annotations import clip_relpath, config_record


def test_layout_and_round_trip(tmp_path):
    paths = annotation_paths(str(tmp_path))
    assert paths['train'] == osp.join(str(tmp_path), 'train.txt')
    assert paths['videos'] == osp.join(str(tmp_path), 'videos')
    assert clip_relpath('val', 12) == 'val/val_00012.mp4'
    items = [(clip_relpath('train', i), label)
             for i, label in enumerate((3, 0, 9))]
    with open(paths['train'], 'w') as f:
        f.writelines(f'{path} {label}\n' for path, label in items)
    assert read_annotations(paths['train']) == items


def test_bad_annotation_names_file_and_line(tmp_path):
    ann = tmp_path / 'bad.txt'
    ann.write_text('train/a.mp4 1\ntrain/b.mp4\n')
    with pytest.raises(ValueError, match=r'bad.txt:2'):
        read_annotations(str(ann))


def test_interrupted_generation_is_not_complete(tmp_path):
    paths = generate_dataset(
        str(tmp_path), SyntheticActionConfig(num_train=2, num_val=1))
    assert dataset_is_complete(str(tmp_path))
    os.remove(paths['meta'])
    assert not dataset_is_complete(str(tmp_path))


def test_meta_without_clip_len_still_matches(tmp_path):
    cfg = SyntheticActionConfig(num_train=1, num_val=0)
    paths = generate_dataset(str(tmp_path), cfg)
    with open(paths['meta']) as f:
        assert 'clip_len' not in json.load(f)['config']
    assert dataset_is_complete(str(tmp_path), cfg)
    longer = SyntheticActionConfig(
        num_train=1, num_val=0, num_frames=24, clip_len=16)
    assert config_record(longer)['clip_len'] == 16
    assert not dataset_is_complete(str(tmp_path), longer)
