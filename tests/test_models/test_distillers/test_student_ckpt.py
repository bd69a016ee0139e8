"""``SAKDDistiller(student_ckpt=...)``: the student starts from a
checkpoint."""
import os.path as osp

import pytest
import torch
from helpers import REPO_ROOT
from mmengine.registry import init_default_scope

import mmsakd.models.utils.checkpoint as checkpoint_module
from mmsakd.models import SAKDDistiller
from mmsakd.models.utils import resolve_model_cfg
from mmsakd.registry import MODELS

STUDENT = 'configs/_base_/models/slowfast_tiny_student.py'
TEACHER = 'configs/_base_/models/slowfast_tiny_teacher.py'
HEAD = 'cls_head.'


@pytest.fixture(scope='module', autouse=True)
def mmaction_scope():
    init_default_scope('mmsakd')


def _model_cfg(path, **overrides):
    return dict(cfg_path=osp.join(REPO_ROOT, path), **overrides)


def _recognizer(path, seed, **overrides):
    """A recognizer whose every tensor differs from a fresh initialisation
    (BN weights and running statistics included)."""
    torch.manual_seed(seed)
    model = MODELS.build(resolve_model_cfg(_model_cfg(path, **overrides), 'm'))
    model.init_weights()
    with torch.no_grad():
        for value in model.state_dict().values():
            if value.is_floating_point():
                value.add_(torch.rand(value.shape) * 0.5 + 0.1)
            else:
                value.fill_(seed + 3)  # num_batches_tracked
    return model


def _save(state, path):
    torch.save({'state_dict': state, 'meta': {}}, path)
    return str(path)


def _clone(state):
    return {k: v.clone() for k, v in state.items()}


@pytest.fixture(scope='module')
def ckpts(tmp_path_factory):
    root = tmp_path_factory.mktemp('student_ckpt')
    teacher = _recognizer(TEACHER, seed=0)
    student = _recognizer(STUDENT, seed=5)
    other_teacher = _recognizer(TEACHER, seed=9)
    other_head = _recognizer(STUDENT, seed=6, cls_head=dict(num_classes=7))
    student_state = student.state_dict()
    distill = {f'student.{k}': v for k, v in student_state.items()}
    # A save_teacher=True checkpoint: its teacher.* must not go anywhere.
    distill.update({
        f'teacher.{k}': v
        for k, v in other_teacher.state_dict().items()
    })
    ddp = {f'module.student.{k}': v for k, v in student_state.items()}
    return dict(
        teacher=_save(teacher.state_dict(), root / 'teacher.pth'),
        teacher_state=_clone(teacher.state_dict()),
        plain=_save(student_state, root / 'plain.pth'),
        distill=_save(distill, root / 'distill.pth'),
        ddp=_save(ddp, root / 'ddp.pth'),
        student_state=_clone(student_state),
        other_head=_save(other_head.state_dict(), root / 'other_head.pth'),
        other_head_state=_clone(other_head.state_dict()),
        root=root)


def _distiller(ckpts, student_ckpt=None, seed=1):
    torch.manual_seed(seed)
    model = SAKDDistiller(
        _model_cfg(STUDENT),
        _model_cfg(TEACHER),
        teacher_ckpt=ckpts['teacher'],
        student_ckpt=student_ckpt)
    model.init_weights()
    return model


@pytest.fixture(scope='module')
def fresh_student(ckpts):
    """The student as init_weights makes it without a checkpoint."""
    return _clone(_distiller(ckpts).student.state_dict())


def _cpu_state(module):
    return {k: v.cpu() for k, v in module.state_dict().items()}


def _assert_teacher_untouched(model, ckpts):
    state = _cpu_state(model.teacher)
    assert state.keys() == ckpts['teacher_state'].keys()
    for key, value in ckpts['teacher_state'].items():
        assert torch.equal(state[key], value), key


@pytest.mark.parametrize('kind', ['plain', 'distill', 'ddp'])
def test_every_student_tensor_loaded(ckpts, fresh_student, kind):
    expected = ckpts['student_state']
    # The checkpoint differs from a fresh student everywhere.
    for key, value in expected.items():
        assert not torch.equal(value, fresh_student[key]), key

    model = _distiller(ckpts, student_ckpt=ckpts[kind])
    state = model.student.state_dict()
    assert state.keys() == expected.keys()
    for key, value in expected.items():
        assert torch.equal(state[key], value), key
    _assert_teacher_untouched(model, ckpts)
    assert model.student_ckpt == ckpts[kind]


def test_head_of_another_label_set_keeps_initial_values(ckpts, fresh_student):
    saved = ckpts['other_head_state']
    model = _distiller(ckpts, student_ckpt=ckpts['other_head'])
    state = model.student.state_dict()
    head_keys = [k for k in state if k.startswith(HEAD)]
    # The classifier is the only part of another shape.
    mismatched = sorted(k for k in state if saved[k].shape != state[k].shape)
    assert mismatched == ['cls_head.fc_cls.bias', 'cls_head.fc_cls.weight']
    assert set(mismatched) <= set(head_keys)
    for key, value in state.items():
        if key in mismatched:
            assert value.shape[0] == 10
            assert torch.equal(value, fresh_student[key]), key
        else:
            assert torch.equal(value, saved[key]), key
    _assert_teacher_untouched(model, ckpts)


def test_mismatch_is_logged(ckpts, monkeypatch):
    import logging
    logged = []
    monkeypatch.setattr(checkpoint_module, 'print_log',
                        lambda msg, **kw: logged.append((msg, kw)))
    _distiller(ckpts, student_ckpt=ckpts['other_head'])
    messages = [(m, kw) for m, kw in logged if 'loaded the student' in m]
    assert len(messages) == 1
    message, kwargs = messages[0]
    assert ckpts['other_head'] in message
    assert 'skipped for a shape mismatch: cls_head.fc_cls.bias, ' \
        'cls_head.fc_cls.weight' in message
    assert 'missing keys: none; unexpected keys: none' in message
    assert kwargs['level'] == logging.WARNING


def test_without_student_ckpt_nothing_is_loaded(ckpts, fresh_student):
    model = _distiller(ckpts)
    assert model.student_ckpt is None
    for key, value in model.student.state_dict().items():
        assert torch.equal(value, fresh_student[key]), key


def test_missing_file_names_config_key(ckpts, tmp_path):
    missing = str(tmp_path / 'nope.pth')
    torch.manual_seed(1)
    model = SAKDDistiller(
        _model_cfg(STUDENT),
        _model_cfg(TEACHER),
        teacher_ckpt=ckpts['teacher'],
        student_ckpt=missing)
    with pytest.raises(FileNotFoundError) as err:
        model.init_weights()
    message = str(err.value)
    assert 'model.student_ckpt' in message
    assert 'student checkpoint not found' in message
    assert 'nope.pth' in message


def test_student_ckpt_type_checked(ckpts):
    with pytest.raises(TypeError, match='student_ckpt must be a path'):
        SAKDDistiller(
            _model_cfg(STUDENT),
            _model_cfg(TEACHER),
            teacher_ckpt=ckpts['teacher'],
            student_ckpt=3)


def test_unrelated_checkpoint_is_rejected(ckpts):
    unrelated = _save({'foo.weight': torch.zeros(1)},
                      ckpts['root'] / 'unrelated.pth')
    torch.manual_seed(1)
    model = SAKDDistiller(
        _model_cfg(STUDENT),
        _model_cfg(TEACHER),
        teacher_ckpt=ckpts['teacher'],
        student_ckpt=unrelated)
    with pytest.raises(ValueError, match='model.student_ckpt=.*shares no key'):
        model.init_weights()


def test_runner_load_from_wins_over_student_ckpt(ckpts, tmp_path):
    """Runner.train initialises the weights, then loads ``load_from``: the
    student ends up with the load_from weights, not student_ckpt's."""
    from mmengine.runner import Runner

    # A distillation checkpoint of another student, as a run would save.
    other = _recognizer(STUDENT, seed=11).state_dict()
    load_from = _save({
        f'student.{k}': v
        for k, v in other.items()
    }, tmp_path / 'run.pth')
    torch.manual_seed(1)
    model = SAKDDistiller(
        _model_cfg(STUDENT),
        _model_cfg(TEACHER),
        teacher_ckpt=ckpts['teacher'],
        student_ckpt=ckpts['plain'])
    runner = Runner(
        model=model,
        work_dir=str(tmp_path / 'work'),
        load_from=load_from,
        default_scope='mmsakd',
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        default_hooks=dict(logger=None, checkpoint=None),
        log_level='WARNING')
    # The two steps of Runner.train, in its order.
    runner._init_model_weights()
    # The Runner moves the model to the GPU where there is one.
    student = _cpu_state(runner.model.student)
    for key, value in ckpts['student_state'].items():
        assert torch.equal(student[key], value), key
    runner.load_or_resume()
    student = _cpu_state(runner.model.student)
    for key, value in other.items():
        assert torch.equal(student[key], value), key
    _assert_teacher_untouched(runner.model, ckpts)
