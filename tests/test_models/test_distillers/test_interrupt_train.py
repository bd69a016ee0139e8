"""``SAKDDistiller(interrupt_train=...)``: training batches interrupted like
the scoring pass."""
import os.path as osp

import pytest
import torch
from helpers import REPO_ROOT
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

from mmsakd.models import SAKDDistiller
from mmsakd.selection import interrupt_batch, interruption_rate, make_generator

STUDENT = 'configs/_base_/models/slowfast_tiny_student.py'
TEACHER = 'configs/_base_/models/slowfast_tiny_teacher.py'
DEFAULTS = dict(eta=0.5, theta=0.9, scope='batch', patch_size=4, seed=0)


@pytest.fixture(scope='module', autouse=True)
def mmaction_scope():
    init_default_scope('mmsakd')


def _distiller(interrupt_train):
    torch.manual_seed(0)
    model = SAKDDistiller(
        dict(
            cfg_path=osp.join(REPO_ROOT, STUDENT),
            cls_head=dict(dropout_ratio=0.)),
        dict(cfg_path=osp.join(REPO_ROOT, TEACHER)),
        interrupt_train=interrupt_train,
        untrained_teacher=True)
    model.init_weights()
    return model.train()


def _batch():
    gen = torch.Generator().manual_seed(3)
    inputs = torch.randn(4, 1, 3, 16, 32, 32, generator=gen)
    samples = [ActionDataSample().set_gt_label(i) for i in range(4)]
    return inputs, samples


def _record_inputs(model, monkeypatch):
    """The inputs that the student's and the teacher's ``extract_feat``
    receive, by model."""
    seen = dict(student=[], teacher=[])
    for name in seen:
        recognizer = getattr(model, name)
        extract_feat = recognizer.extract_feat

        def record(inputs, *args, _name=name, _fn=extract_feat, **kwargs):
            seen[_name].append(inputs.clone())
            return _fn(inputs, *args, **kwargs)

        monkeypatch.setattr(recognizer, 'extract_feat', record)
    return seen


# At epoch 3 of 5: rate 0.56 with theta=0.9 (>= eta=0.5: shuffle across the
# batch; < eta=0.9: dropout), 0.84 with theta=2 (shuffle within the clip).
@pytest.mark.parametrize('interrupt_train, settings', [
    (True, DEFAULTS),
    (dict(eta=0.9, seed=5), dict(DEFAULTS, eta=0.9, seed=5)),
    (dict(scope='clip', theta=2.0), dict(DEFAULTS, scope='clip', theta=2.0)),
])
def test_student_and_teacher_get_interrupt_batch(interrupt_train, settings,
                                                 runtime_info, monkeypatch):
    model = _distiller(interrupt_train)
    assert model.interrupt_train == settings
    inputs, samples = _batch()
    epoch, max_epochs, iteration = 3, 5, 7
    runtime_info(epoch=epoch, max_epochs=max_epochs, iter=iteration)
    rate = interruption_rate(epoch, max_epochs, settings['theta'])
    expected = interrupt_batch(
        inputs,
        rate,
        eta=settings['eta'],
        scope=settings['scope'],
        patch_size=settings['patch_size'],
        generator=make_generator(
            settings['seed'], epoch, iteration, stream='train'))
    assert not torch.equal(expected, inputs)

    seen = _record_inputs(model, monkeypatch)
    losses = model(inputs.clone(), samples, mode='loss')
    assert len(seen['student']) == len(seen['teacher']) == 1
    assert torch.equal(seen['student'][0], expected)
    assert torch.equal(seen['teacher'][0], expected)

    # The same as feeding the interrupted batch to the distiller without it.
    model.interrupt_train = None
    reference = model(expected, samples, mode='loss')
    for key, value in reference.items():
        assert torch.equal(losses[key], value), key


def test_rate_zero_at_epoch_zero_and_off_by_default(runtime_info, monkeypatch):
    model = _distiller(True)
    inputs, samples = _batch()
    runtime_info(epoch=0, max_epochs=5, iter=0)
    seen = _record_inputs(model, monkeypatch)
    interrupted = model(inputs, samples, mode='loss')
    assert torch.equal(seen['student'][0], inputs)
    assert torch.equal(seen['teacher'][0], inputs)

    off = _distiller(None)
    assert off.interrupt_train is None
    # Off: the inputs reach the models as they are, whatever the epoch.
    runtime_info(epoch=3, max_epochs=5, iter=7)
    seen = _record_inputs(off, monkeypatch)
    plain = off(inputs, samples, mode='loss')
    assert torch.equal(seen['student'][0], inputs)
    for key, value in plain.items():
        assert torch.equal(interrupted[key], value), key


def test_needs_the_training_loop_progress(runtime_info):
    model = _distiller(dict(seed=1))
    inputs, samples = _batch()
    runtime_info(epoch=1)  # no max_epochs, no iter
    with pytest.raises(RuntimeError, match='RuntimeInfoHook'):
        model(inputs, samples, mode='loss')


@pytest.mark.parametrize('interrupt_train, error, message', [
    ('batch', TypeError, 'interrupt_train must be None, a bool or a dict'),
    (dict(rate=0.5), ValueError, r"unknown keys \['rate'\]"),
    (dict(eta=0), ValueError, r'interrupt_train.eta must be .* \(0, 1\]'),
    (dict(eta=1.5), ValueError, 'interrupt_train.eta'),
    (dict(theta=0), ValueError, 'interrupt_train.theta must be a number > 0'),
    (dict(scope='frame'), ValueError, 'interrupt_train.scope must be'),
    (dict(patch_size=0), ValueError, 'interrupt_train.patch_size must be'),
    (dict(patch_size=2.0), ValueError, 'interrupt_train.patch_size'),
    (dict(seed=-1), ValueError, 'interrupt_train.seed must be an int >= 0'),
    (dict(seed=True), ValueError, 'interrupt_train.seed'),
])
def test_argument_checks(interrupt_train, error, message):
    with pytest.raises(error, match=message):
        SAKDDistiller(
            dict(cfg_path=osp.join(REPO_ROOT, STUDENT)),
            dict(cfg_path=osp.join(REPO_ROOT, TEACHER)),
            interrupt_train=interrupt_train,
            untrained_teacher=True)
