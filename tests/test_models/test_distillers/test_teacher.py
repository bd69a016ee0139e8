"""The frozen teacher of ``SAKDDistiller``: loaded and frozen at
construction, outside the submodules, in the state dict only when asked."""
import os.path as osp

import pytest
import torch
from helpers import REPO_ROOT
from mmaction.structures import ActionDataSample
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import load_state_dict

import mmsakd.models.distillers.teacher as teacher_module
import mmsakd.models.utils.checkpoint as checkpoint_module
from mmsakd.models import SAKDDistiller
from mmsakd.models.utils import resolve_model_cfg
from mmsakd.registry import MODELS

STUDENT = 'configs/_base_/models/slowfast_tiny_student.py'
TEACHER = 'configs/_base_/models/slowfast_tiny_teacher.py'


@pytest.fixture(scope='module', autouse=True)
def mmaction_scope():
    # Recognizers build their parts from the default scope's registry.
    init_default_scope('mmsakd')


def _model_cfg(path, **overrides):
    return dict(cfg_path=osp.join(REPO_ROOT, path), **overrides)


def _distiller(teacher_ckpt, **kwargs):
    torch.manual_seed(1)
    model = SAKDDistiller(
        _model_cfg(STUDENT, cls_head=dict(dropout_ratio=0.)),
        _model_cfg(TEACHER),
        teacher_ckpt=teacher_ckpt,
        untrained_teacher=teacher_ckpt is None,
        **kwargs)
    model.init_weights()
    return model


@pytest.fixture(scope='module')
def distiller(teacher_ckpt):
    return _distiller(teacher_ckpt)


def _samples(num):
    return [ActionDataSample().set_gt_label(i) for i in range(num)]


def test_teacher_frozen_under_optimizer_steps(distiller):
    model = distiller
    optim_wrapper = build_optim_wrapper(
        model, dict(optimizer=dict(type='AdamW', lr=0.05, weight_decay=0.1)))
    optimized = {
        id(p)
        for g in optim_wrapper.param_groups
        for p in g['params']
    }
    assert not optimized & {id(p) for p in model.teacher.parameters()}
    assert {id(p) for p in model.student.parameters()} <= optimized
    assert all(not p.requires_grad for p in model.teacher.parameters())

    model.eval()
    model.train()
    assert model.student.training
    assert not any(m.training for m in model.teacher.modules())

    teacher_before = {
        k: v.clone()
        for k, v in model.teacher.state_dict().items()
    }
    student_before = {
        k: v.clone()
        for k, v in model.student.state_dict().items()
    }
    gen = torch.Generator().manual_seed(5)
    for step in range(2):
        samples = _samples(4)
        data = dict(
            inputs=[
                torch.randint(0, 256, (1, 3, 16, 32, 32),
                              generator=gen).to(torch.uint8) for _ in samples
            ],
            data_samples=samples)
        log_vars = model.train_step(data, optim_wrapper)
        assert {'loss', 'loss_ce', 'loss_kd', 'kd_raw'} <= set(log_vars)
    teacher_after = model.teacher.state_dict()
    for key, value in teacher_before.items():
        assert torch.equal(teacher_after[key], value), key
    student_after = model.student.state_dict()
    assert any(not torch.equal(student_after[k], v)
               for k, v in student_before.items()
               if k.endswith('running_mean'))
    assert any(not torch.equal(student_after[k], v)
               for k, v in student_before.items() if k.endswith('weight'))


def test_teacher_loaded_and_kept_by_init_weights(distiller, teacher_ckpt):
    saved = torch.load(teacher_ckpt, weights_only=False)['state_dict']
    distiller.init_weights()  # again: must not re-initialise the teacher
    for key, value in distiller.teacher.state_dict().items():
        assert torch.equal(value, saved[key]), key
    assert saved['backbone.slow_path.conv1.bn.running_mean'].abs().sum() > 0


def test_teacher_checkpoint_errors_and_report(teacher_ckpt, tmp_path,
                                              monkeypatch):
    missing = str(tmp_path / 'no_such_teacher.pth')
    with pytest.raises(FileNotFoundError) as err:
        SAKDDistiller(
            _model_cfg(STUDENT), _model_cfg(TEACHER), teacher_ckpt=missing)
    assert missing in str(err.value)
    assert 'model.teacher_ckpt' in str(err.value)

    state = torch.load(teacher_ckpt, weights_only=False)['state_dict']
    state.pop('cls_head.fc_cls.bias')
    state['extra.weight'] = torch.zeros(1)
    partial = tmp_path / 'partial.pth'
    torch.save({'state_dict': state}, partial)
    # Strict by default: a partial teacher is refused, naming the key.
    with pytest.raises(KeyError) as err:
        SAKDDistiller(
            _model_cfg(STUDENT),
            _model_cfg(TEACHER),
            teacher_ckpt=str(partial))
    for part in ('cls_head.fc_cls.bias', str(partial),
                 'model.strict_teacher=False'):
        assert part in str(err.value)
    logs = []
    monkeypatch.setattr(checkpoint_module, 'print_log',
                        lambda msg, **kw: logs.append((msg, kw)))
    lenient = SAKDDistiller(
        _model_cfg(STUDENT),
        _model_cfg(TEACHER),
        teacher_ckpt=str(partial),
        strict_teacher=False)
    for key, value in lenient.teacher.state_dict().items():
        if key in state and key != 'extra.weight':
            assert torch.equal(value, state[key]), key
    report = [(m, kw) for m, kw in logs if 'loaded the teacher' in m]
    assert len(report) == 1
    message, kwargs = report[0]
    assert 'missing keys: cls_head.fc_cls.bias' in message
    assert 'unexpected keys: extra.weight' in message
    assert kwargs['level'] == 30  # logging.WARNING

    # A checkpoint of another architecture: names match, shapes do not.
    student = MODELS.build(resolve_model_cfg(_model_cfg(STUDENT), 's'))
    wrong = tmp_path / 'student.pth'
    torch.save({'state_dict': student.state_dict()}, wrong)
    with pytest.raises(RuntimeError, match='cannot load model.teacher_ckpt'):
        SAKDDistiller(
            _model_cfg(STUDENT), _model_cfg(TEACHER), teacher_ckpt=str(wrong))
    # Not strict: the tensors of another shape are skipped and logged.
    logs.clear()
    SAKDDistiller(
        _model_cfg(STUDENT),
        _model_cfg(TEACHER),
        teacher_ckpt=str(wrong),
        strict_teacher=False)
    message = [m for m, _ in logs if 'loaded the teacher' in m][0]
    assert 'skipped for a shape mismatch: backbone.' in message
    unrelated = tmp_path / 'unrelated.pth'
    torch.save({'state_dict': {'foo.weight': torch.zeros(1)}}, unrelated)
    with pytest.raises(ValueError, match='shares no key'):
        SAKDDistiller(
            _model_cfg(STUDENT),
            _model_cfg(TEACHER),
            teacher_ckpt=str(unrelated))


def test_untrained_teacher_only_when_asked(teacher_ckpt, monkeypatch):
    with pytest.raises(ValueError, match='model.untrained_teacher=True'):
        SAKDDistiller(_model_cfg(STUDENT), _model_cfg(TEACHER))
    with pytest.raises(ValueError, match='contradicts'):
        SAKDDistiller(
            _model_cfg(STUDENT),
            _model_cfg(TEACHER),
            teacher_ckpt=teacher_ckpt,
            untrained_teacher=True)
    logs = []
    monkeypatch.setattr(teacher_module, 'print_log',
                        lambda msg, **kw: logs.append((msg, kw)))
    for key in ('strict_teacher', 'untrained_teacher'):
        with pytest.raises(TypeError, match=f'model.{key} must be True'):
            SAKDDistiller(
                _model_cfg(STUDENT),
                _model_cfg(TEACHER),
                teacher_ckpt=teacher_ckpt,
                **{key: 'yes'})
    models = []
    for _ in range(2):
        torch.manual_seed(0)
        models.append(
            SAKDDistiller(
                _model_cfg(STUDENT),
                _model_cfg(TEACHER),
                untrained_teacher=True))
    # The teacher is its seeded initialisation, frozen.
    second = models[1].teacher.state_dict()
    for key, value in models[0].teacher.state_dict().items():
        assert torch.equal(value, second[key]), key
    assert not any(p.requires_grad for p in models[0].teacher.parameters())
    assert [kw['level'] for m, kw in logs if 'untrained' in m] == [30, 30]


def test_state_dict_excludes_teacher_unless_asked(teacher_ckpt):
    model = _distiller(teacher_ckpt)
    state = model.state_dict()
    assert state and all(k.startswith('student.') for k in state)

    with_teacher = _distiller(teacher_ckpt, save_teacher=True)
    full = with_teacher.state_dict()
    teacher_keys = {k for k in full if k.startswith('teacher.')}
    assert teacher_keys == {
        'teacher.' + k
        for k in with_teacher.teacher.state_dict()
    }
    assert set(full) - teacher_keys == set(state)

    # A student-only state loads strictly: no missing teacher keys.
    fresh = _distiller(None)
    assert fresh.load_state_dict(state, strict=True).missing_keys == []
    load_state_dict(fresh, state, strict=True)  # mmengine raises on any
    # Teacher keys in a state dict go into the teacher, not "unexpected".
    fresh = _distiller(None)
    result = fresh.load_state_dict(full, strict=True)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for key, value in with_teacher.teacher.state_dict().items():
        assert torch.equal(fresh.teacher.state_dict()[key], value), key
    load_state_dict(_distiller(None), full, strict=True)


def test_teacher_follows_dtype_moves(teacher_ckpt):
    model = _distiller(teacher_ckpt).double()
    assert all(p.dtype == torch.float64 for p in model.teacher.parameters())
    assert 'teacher=Recognizer3D' in repr(model)
