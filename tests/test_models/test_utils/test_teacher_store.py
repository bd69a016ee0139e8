"""TeacherOutputStore: rows written and read back (full, fp16, top-k),
shared between instances, refused when another fingerprint or format is
asked for; its size on disk; the distiller's read-or-run of a batch."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample

from mmsakd.models.utils import (TeacherOutputStore, store_nbytes,
                                 stored_teacher_logits)
from mmsakd.registry import TASK_UTILS

PRINT = {'teacher weights': 'w0', 'annotation list': 'a0', 'views': '2'}


def _store(folder, **kwargs):
    args = dict(
        path=str(folder),
        fingerprint=PRINT,
        num_views=2,
        num_samples=6,
        num_classes=5)
    args.update(kwargs)
    return TeacherOutputStore(**args)


def _rows(*pairs):
    views, indices = zip(*pairs)
    return torch.tensor(views), torch.tensor(indices)


def _logits(n, k, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, k, generator=generator) * 4


def test_write_then_lookup_fp32_exact_and_counted(tmp_path):
    store = _store(tmp_path / 's', dtype='float32')
    assert len(store) == 0 and not store.filled().any()
    logits = _logits(3, 5)
    store.write(*_rows((0, 4), (1, 0), (1, 5)), logits)
    assert len(store) == 3
    assert store.filled(0).tolist() == [0, 0, 0, 0, 1, 0]
    assert store.filled(1).tolist() == [1, 0, 0, 0, 0, 1]
    assert store.filled().shape == (2, 6)

    got, hit = store.lookup(*_rows((1, 5), (0, 0), (0, 4), (1, 0)))
    assert hit.tolist() == [True, False, True, True]
    assert got.dtype == torch.float32
    assert torch.equal(got[[2, 3, 0]], logits)
    assert torch.equal(got[1], torch.zeros(5))
    assert (store.hits, store.misses) == (3, 1)
    store.lookup(*_rows((0, 1), (1, 1)))
    assert (store.hits, store.misses) == (3, 3)


def test_fp16_rows_round_as_torch_half(tmp_path):
    store = _store(tmp_path / 's')
    logits = _logits(2, 5) + 0.123
    store.write(*_rows((0, 2), (1, 3)), logits)
    got, hit = store.lookup(*_rows((0, 2), (1, 3)))
    assert hit.all()
    assert torch.equal(got, logits.half().float())
    assert not torch.equal(got, logits)  # the rounding is not trivial


def test_fp16_keeps_large_logits_finite(tmp_path):
    store = _store(tmp_path / 's')
    logits = torch.tensor([[1e5, -1e6, 0., 1., 2.]])
    store.write(*_rows((0, 0)), logits)
    got, _ = store.lookup(*_rows((0, 0)))
    limit = float(torch.finfo(torch.float16).max)
    assert got.tolist() == [[limit, -limit, 0., 1., 2.]]


def test_topk_keeps_top_values_and_the_rest_mass(tmp_path):
    store = _store(tmp_path / 's', num_classes=8, topk=3, dtype='float32')
    logits = _logits(4, 8, seed=1)
    store.write(*_rows((0, 0), (0, 1), (1, 2), (1, 5)), logits)
    got, hit = store.lookup(*_rows((0, 0), (0, 1), (1, 2), (1, 5)))
    assert hit.all()
    top, classes = logits.topk(3, dim=1)
    assert torch.equal(got.gather(1, classes), top)
    others = torch.ones_like(logits, dtype=torch.bool).scatter(1, classes, 0)
    fill = got[others].reshape(4, 5)
    assert torch.equal(fill, fill[:, :1].expand(-1, 5))  # one common fill
    true_rest = (logits.softmax(1) * others).sum(1)
    got_rest = (got.softmax(1) * others).sum(1)
    torch.testing.assert_close(got_rest, true_rest, rtol=1e-5, atol=1e-7)
    assert sorted(osp.basename(p) for p in tmp_path.glob('s/*.npy')) == [
        'classes.npy', 'filled.npy', 'rest.npy', 'values.npy'
    ]


def test_topk_fp16_rounds_the_top_values(tmp_path):
    store = _store(tmp_path / 's', num_classes=8, topk=2)
    logits = _logits(1, 8, seed=2) + 0.123
    store.write(*_rows((1, 1)), logits)
    got, _ = store.lookup(*_rows((1, 1)))
    top, classes = logits.topk(2, dim=1)
    assert torch.equal(got.gather(1, classes), top.half().float())


def test_topk_of_every_class_is_a_full_store(tmp_path):
    store = _store(tmp_path / 's', topk=5, dtype='float32')
    assert store.topk is None
    assert sorted(osp.basename(p) for p in tmp_path.glob('s/*.npy')) == [
        'filled.npy', 'values.npy'
    ]
    logits = _logits(1, 5)
    store.write(*_rows((0, 3)), logits)
    assert torch.equal(store.lookup(*_rows((0, 3)))[0], logits)
    # The same format as topk=None: reopened without topk.
    again = _store(tmp_path / 's', dtype='float32')
    assert torch.equal(again.lookup(*_rows((0, 3)))[0], logits)


def test_reopened_and_shared_between_instances(tmp_path):
    first = TASK_UTILS.build(
        dict(
            type='TeacherOutputStore',
            path=str(tmp_path / 's'),
            fingerprint=PRINT,
            num_views=2,
            num_samples=6,
            num_classes=5))
    logits = _logits(2, 5)
    first.write(*_rows((0, 1), (1, 2)), logits)
    first.flush()
    del first
    # As another run would: opened without creating.
    second = _store(tmp_path / 's', create=False)
    got, hit = second.lookup(*_rows((0, 1), (1, 2), (0, 0)))
    assert hit.tolist() == [True, True, False]
    assert torch.equal(got[:2], logits.half().float())
    # A row written by one open instance is seen by another at once.
    third = _store(tmp_path / 's')
    third.write(*_rows((0, 0)), logits[:1] + 1)
    assert len(second) == 3 and bool(second.filled(0)[0])
    got, hit = second.lookup(*_rows((0, 0)))
    assert hit.item()
    assert torch.equal(got, (logits[:1] + 1).half().float())


def test_missing_store_without_create(tmp_path):
    with pytest.raises(FileNotFoundError, match='meta.json is missing'):
        _store(tmp_path / 'none', create=False)
    assert not (tmp_path / 'none').exists()


def test_another_fingerprint_names_the_parts(tmp_path):
    _store(tmp_path / 's')
    other = dict(PRINT)
    other.update({'teacher weights': 'w1', 'annotation list': 'a1'})
    with pytest.raises(ValueError) as info:
        _store(tmp_path / 's', fingerprint=other)
    message = str(info.value)
    assert 'another annotation list, teacher weights;' in message
    assert 'views' not in message
    with pytest.raises(ValueError, match='another extra;'):
        _store(tmp_path / 's', fingerprint={**PRINT, 'extra': 'x'})
    # Refused without being changed.
    meta = json.loads((tmp_path / 's' / 'meta.json').read_text())
    assert meta['fingerprint'] == PRINT


@pytest.mark.parametrize('kwargs', [
    dict(topk=3),
    dict(dtype='float32'),
    dict(num_views=3),
    dict(num_samples=7),
    dict(num_classes=6),
])
def test_another_format_is_refused(tmp_path, kwargs):
    _store(tmp_path / 's')
    with pytest.raises(ValueError, match='has the format'):
        _store(tmp_path / 's', **kwargs)


def test_rows_out_of_range_are_named(tmp_path):
    store = _store(tmp_path / 's')
    logits = _logits(1, 5)
    with pytest.raises(IndexError, match=r'views must be in \[0, 2\)'):
        store.write(*_rows((2, 0)), logits)
    with pytest.raises(IndexError, match=r'indices must be in \[0, 6\)'):
        store.lookup(*_rows((0, 6)))
    with pytest.raises(IndexError, match='indices'):
        store.lookup(*_rows((0, -1)))
    with pytest.raises(ValueError, match='differ in length: 2 and 1'):
        store.lookup(torch.tensor([0, 1]), torch.tensor([0]))
    assert len(store) == 0


def test_bad_logits_are_not_written(tmp_path):
    store = _store(tmp_path / 's')
    with pytest.raises(ValueError, match=r'shape \(2, 5\), got \(2, 4\)'):
        store.write(*_rows((0, 0), (0, 1)), _logits(2, 4))
    for bad in (float('nan'), float('inf')):
        logits = _logits(2, 5)
        logits[1, 2] = bad
        with pytest.raises(ValueError, match='non-finite'):
            store.write(*_rows((0, 0), (0, 1)), logits)
    assert len(store) == 0


@pytest.mark.parametrize('kwargs, error, message', [
    (dict(num_views=0), ValueError, 'num_views must be an integer >= 1'),
    (dict(num_samples=2.5), ValueError, 'num_samples must be an integer'),
    (dict(topk=6), ValueError, 'topk must be <= num_classes=5, got 6'),
    (dict(topk=0), ValueError, 'topk must be an integer >= 1'),
    (dict(dtype='int8'), ValueError, 'dtype must be'),
    (dict(fingerprint={'views': 2}), TypeError, 'dict of str -> str'),
    (dict(path=''), TypeError, 'path must be a folder path'),
])
def test_bad_arguments_are_named(tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        _store(tmp_path / 's', **kwargs)
    assert not (tmp_path / 's').exists()


def _data_nbytes(folder):
    return sum(
        np.load(str(path), mmap_mode='r').nbytes
        for path in folder.glob('*.npy'))


@pytest.mark.parametrize('kwargs', [
    dict(),
    dict(dtype='float32'),
    dict(topk=3),
    dict(topk=2, dtype='float32'),
    dict(topk=5),
])
def test_nbytes_is_the_size_of_the_arrays(tmp_path, kwargs):
    store = _store(tmp_path / 's', **kwargs)
    created = _data_nbytes(tmp_path / 's')
    assert store.nbytes == created
    assert store_nbytes(2, 6, 5, **kwargs) == created
    headers = sum(
        osp.getsize(str(path)) - np.load(str(path), mmap_mode='r').nbytes
        for path in (tmp_path / 's').glob('*.npy'))
    assert 0 < headers <= 4 * 128  # a .npy header each, not the data


class Teacher:
    """A stand-in teacher: logits from the inputs, samples counted."""

    def __init__(self):
        self.calls, self.samples = 0, 0

    def __call__(self, inputs):
        self.calls += 1
        self.samples += len(inputs)
        return _reference(inputs), None


def _reference(inputs):
    return inputs.sum(1, keepdim=True) * torch.linspace(-1, 1, 5)


def _batch(*pairs):
    samples = []
    for view, idx in pairs:
        sample = ActionDataSample()
        sample.set_metainfo(dict(sample_idx=idx, aug_view=view))
        samples.append(sample)
    inputs = torch.tensor([[float(idx), 0.25 * view + 0.5]
                           for view, idx in pairs])
    return inputs, samples


def test_stored_logits_run_the_teacher_on_misses_only(tmp_path):
    store = _store(tmp_path / 's', dtype='float32')
    teacher = Teacher()
    inputs, samples = _batch((0, 1), (1, 3), (0, 4))
    first = stored_teacher_logits(store, teacher, inputs, samples)
    assert (teacher.calls, teacher.samples) == (1, 3)
    assert torch.equal(first, _reference(inputs))
    assert store.filled(0).tolist() == [0, 1, 0, 0, 1, 0]
    assert store.filled(1).tolist() == [0, 0, 0, 1, 0, 0]

    again = stored_teacher_logits(store, teacher, inputs, samples)
    assert (teacher.calls, teacher.samples) == (1, 3)
    assert torch.equal(again, first)

    # Stored and new rows mixed, in the batch's order.
    inputs, samples = _batch((1, 5), (0, 4), (1, 1), (1, 3))
    mixed = stored_teacher_logits(store, teacher, inputs, samples)
    assert (teacher.calls, teacher.samples) == (2, 5)
    assert torch.equal(mixed, _reference(inputs))
    assert (store.hits, store.misses) == (5, 5)
    assert len(store) == 5


def test_stored_logits_view_defaults_to_zero(tmp_path):
    store = _store(tmp_path / 's', dtype='float32')
    sample = ActionDataSample()
    sample.set_metainfo(dict(sample_idx=2))
    inputs = torch.tensor([[2., 0.]])
    stored_teacher_logits(store, Teacher(), inputs, [sample])
    assert store.filled(0)[2] and not store.filled(1)[2]
    sample = ActionDataSample()
    with pytest.raises(ValueError, match='sample_idx'):
        stored_teacher_logits(store, Teacher(), inputs, [sample])
