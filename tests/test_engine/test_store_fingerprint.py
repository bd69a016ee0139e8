"""The fingerprint of a teacher-output store: digests of weights,
configs, preprocessing, annotation files and views, each part changed by
what it names and by nothing else."""
import hashlib

import pytest
import torch
from mmengine.config import ConfigDict
from torch import nn

from mmsakd.engine.store_fingerprint import (PARTS, annotation_files,
                                             config_digest, file_digest,
                                             fingerprint_name,
                                             store_fingerprint, weights_digest)


def _teacher(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv1d(2, 3, 1), nn.BatchNorm1d(3), nn.Linear(1, 4))


def test_same_weights_same_digest_one_change_differs():
    first, second = _teacher(0), _teacher(1)
    assert weights_digest(first) != weights_digest(second)
    second.load_state_dict(first.state_dict())
    assert weights_digest(first) == weights_digest(second)
    with torch.no_grad():
        second[2].weight[1, 0] += 1e-3
    assert weights_digest(first) != weights_digest(second)
    # Buffers count too (BN running statistics).
    second.load_state_dict(first.state_dict())
    second[1].running_mean[0] = 0.5
    assert weights_digest(first) != weights_digest(second)
    # The same values in another dtype are other weights.
    assert weights_digest(first) != weights_digest(_teacher(0).double())


def test_config_digest_ignores_key_order():
    one = dict(type='A', b=dict(c=1, d=[1, (2, 3)]), e=None)
    other = ConfigDict(e=None, b=dict(d=[1, [2, 3]], c=1), type='A')
    assert config_digest(one) == config_digest(other)
    assert config_digest(one) != config_digest(dict(one, e=0))
    assert config_digest(one) != config_digest(
        dict(one, b=dict(c=1, d=[(2, 3), 1])))


def test_file_digest_is_sha256_of_the_content(tmp_path):
    path = tmp_path / 'f.bin'
    data = bytes(range(256)) * 9000  # read in three 1 MiB blocks
    path.write_bytes(data)
    assert file_digest(str(path)) == hashlib.sha256(data).hexdigest()


class Clips:

    def __init__(self, ann_file=None, dataset=None, datasets=None):
        self.ann_file = ann_file
        self.dataset = dataset
        self.datasets = datasets


class Preprocessor(nn.Module):

    def __init__(self, mean=(1., 2., 3.)):
        super().__init__()
        self.format_shape = 'NCTHW'
        self.register_buffer('mean', torch.tensor(mean))


def test_annotation_files_through_wrappers_once():
    inner = Clips('a.txt')
    dataset = Clips(
        dataset=Clips(datasets=[inner, Clips('b.txt'), inner]),
        datasets=(Clips('a.txt'), Clips()))
    assert annotation_files(dataset) == ['a.txt', 'b.txt']
    assert annotation_files(Clips()) == []


@pytest.fixture
def parts(tmp_path):
    ann = tmp_path / 'train.txt'
    ann.write_text('v0.mp4 0\nv1.mp4 1\n')
    teacher = _teacher()
    args = dict(
        teacher=teacher,
        teacher_cfg=dict(type='Recognizer3D', cfg_path='t.py'),
        data_preprocessor=Preprocessor(),
        dataset_cfg=dict(type='VideoDataset', ann_file=str(ann)),
        dataset=Clips(dataset=Clips(str(ann))),
        num_views=2)
    return ann, args


def _changed(args, **changes):
    base = store_fingerprint(**args)
    other = store_fingerprint(**dict(args, **changes))
    return sorted(name for name in PARTS if base[name] != other[name])


def test_each_part_changes_alone(parts):
    ann, args = parts
    fingerprint = store_fingerprint(**args)
    assert list(fingerprint) == list(PARTS)
    assert fingerprint['views'] == '2'
    assert store_fingerprint(**args) == fingerprint
    teacher = _teacher()
    with torch.no_grad():
        teacher[0].bias[0] += 1
    assert _changed(args, teacher=teacher) == ['teacher weights']
    assert _changed(
        args, teacher_cfg=dict(type='Recognizer3D',
                               cfg_path='u.py')) == ['teacher config']
    assert _changed(
        args, data_preprocessor=Preprocessor(
            (1., 2., 4.))) == ['preprocessing']
    assert _changed(
        args, dataset_cfg=dict(type='VideoDataset',
                               ann_file='x')) == ['training data']
    assert _changed(args, num_views=3) == ['views']
    assert fingerprint_name(fingerprint) != fingerprint_name(
        store_fingerprint(**dict(args, num_views=3)))
    name = fingerprint_name(fingerprint)
    assert len(name) == 16 and int(name, 16) >= 0


def test_annotation_digest_follows_the_content(parts):
    ann, args = parts
    before = store_fingerprint(**args)
    ann.write_text('v0.mp4 0\nv1.mp4 2\n')
    after = store_fingerprint(**args)
    assert [n for n in PARTS if before[n] != after[n]] == ['annotation list']
    ann.write_text('v0.mp4 0\nv1.mp4 1\n')
    assert store_fingerprint(**args) == before


def test_missing_annotation_file_is_named(parts, tmp_path):
    ann, args = parts
    gone = str(tmp_path / 'gone.txt')
    args['dataset'] = Clips(datasets=[Clips(str(ann)), Clips(gone)])
    with pytest.raises(FileNotFoundError, match=f'annotation file {gone} '):
        store_fingerprint(**args)
