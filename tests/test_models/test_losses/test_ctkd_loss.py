import math

import numpy as np
import pytest
import torch

from mmsakd.models import BaseKDLoss, CTKDLoss
from mmsakd.registry import MODELS


def _reference_kd(student, teacher, tau):
    """tau^2 * sum_k p_t (log p_t - log p_s) per row, float64 numpy."""
    s = student.detach().double().numpy() / tau
    t = teacher.detach().double().numpy() / tau
    p_s = np.exp(s - s.max(1, keepdims=True))
    p_s /= p_s.sum(1, keepdims=True)
    p_t = np.exp(t - t.max(1, keepdims=True))
    p_t /= p_t.sum(1, keepdims=True)
    return tau**2 * (p_t * (np.log(p_t) - np.log(p_s))).sum(1)


def _batch(seed=0, n=5, k=8):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(n, k, generator=gen) * 3,
            torch.randn(n, k, generator=gen) * 3)


@pytest.mark.parametrize('t_init', [0.0, 1.5, -2.0])
def test_temperature_and_values(runtime_info, t_init):
    loss = CTKDLoss(
        tau_min=2.0, tau_range=10.0, t_init=t_init, reduction='none')
    tau = 2.0 + 10.0 / (1 + math.exp(-t_init))
    assert loss.temperature().item() == pytest.approx(tau, rel=1e-6)
    student, teacher = _batch()
    values = loss(student, teacher)
    assert values.shape == (5, ) and values.dtype == torch.float32
    np.testing.assert_allclose(
        values.detach().numpy(),
        _reference_kd(student, teacher, tau),
        rtol=1e-4,
        atol=1e-6)


def test_reductions_and_loss_weight(runtime_info):
    student, teacher = _batch(seed=1)
    per_sample = CTKDLoss(reduction='none')(student, teacher)
    assert torch.allclose(CTKDLoss()(student, teacher), per_sample.mean())
    assert torch.allclose(
        CTKDLoss(reduction='sum')(student, teacher), per_sample.sum())
    assert torch.allclose(
        CTKDLoss(loss_weight=0.5, reduction='none')(student, teacher),
        0.5 * per_sample)
    assert torch.equal(
        CTKDLoss().per_sample(
            student_logits=student,
            teacher_logits=teacher,
            labels=None,
            teacher=None), per_sample)


def test_gradient_reaches_student_not_teacher(runtime_info):
    student, teacher = _batch(seed=2)
    student.requires_grad_()
    teacher.requires_grad_()
    loss = CTKDLoss()
    loss(student, teacher).backward()
    assert student.grad is not None and student.grad.abs().sum() > 0
    assert teacher.grad is None
    assert loss.t.grad is not None and loss.t.grad.abs() > 0


def _plain_t_grad(loss, student, teacher):
    """d loss / d t without reversal: the same loss written directly."""
    t = loss.t.detach().clone().requires_grad_()
    tau = loss.tau_min + loss.tau_range * torch.sigmoid(t)
    log_p_s = torch.log_softmax(student / tau, dim=1)
    log_p_t = torch.log_softmax(teacher / tau, dim=1)
    value = (tau**2 * (log_p_t.exp() * (log_p_t - log_p_s)).sum(1)).mean()
    value.backward()
    return t.grad


@pytest.mark.parametrize('epoch, lambda_', [(None, 1.0), (5, 0.5), (10, 1.0)])
def test_temperature_gets_reversed_gradient(runtime_info, epoch, lambda_):
    runtime_info(**({} if epoch is None else dict(epoch=epoch)))
    student, teacher = _batch(seed=3)
    loss = CTKDLoss(t_init=0.3)
    assert loss.curriculum_lambda() == pytest.approx(lambda_)
    loss(student, teacher).backward()
    plain = _plain_t_grad(loss, student, teacher)
    assert plain.abs() > 1e-4
    assert torch.sign(loss.t.grad) == -torch.sign(plain)
    assert loss.t.grad.item() == pytest.approx(
        -lambda_ * plain.item(), rel=1e-4)


def test_no_temperature_gradient_at_epoch_0(runtime_info):
    runtime_info(epoch=0)
    loss = CTKDLoss()
    student, teacher = _batch(seed=4)
    student.requires_grad_()
    loss(student, teacher).backward()
    assert loss.t.grad.item() == 0.0
    assert student.grad.abs().sum() > 0


@pytest.mark.parametrize('epoch, expected', [
    (0, 0.0),
    (1, 0.5 * (1 + math.cos(1.1 * math.pi))),
    (5, 0.5),
    (9, 0.5 * (1 + math.cos(1.9 * math.pi))),
    (10, 1.0),
    (50, 1.0),
])
def test_cosine_curriculum(runtime_info, epoch, expected):
    runtime_info(epoch=epoch)
    assert CTKDLoss().curriculum_lambda() == pytest.approx(expected)
    # lambda_min / lambda_max rescale it.
    assert CTKDLoss(lambda_min=0.2, lambda_max=0.6).curriculum_lambda() == \
        pytest.approx(0.2 + 0.4 * expected)


def test_lambda_does_not_change_the_value(runtime_info):
    student, teacher = _batch(seed=5)
    loss = CTKDLoss(reduction='none')
    runtime_info(epoch=0)
    early = loss(student, teacher)
    runtime_info(epoch=7)
    assert torch.equal(loss(student, teacher), early)


def test_temperature_is_a_trained_parameter():
    loss = CTKDLoss()
    assert [name for name, _ in loss.named_parameters()] == ['t']
    assert 't' in loss.state_dict()


@pytest.mark.parametrize('kwargs, message', [
    (dict(tau_min=0), 'tau_min must be a number > 0'),
    (dict(tau_range=-1), 'tau_range must be a number > 0'),
    (dict(curriculum_epochs=0), 'curriculum_epochs must be an integer >= 1'),
    (dict(curriculum_epochs=2.5), 'curriculum_epochs must be an integer >= 1'),
    (dict(lambda_max=-1), 'lambda_max must be a number >= 0'),
    (dict(lambda_min=2.0), r'lambda_min must be <= lambda_max=1.0'),
    (dict(lambda_min=-0.5), 'lambda_min must be a number >= 0'),
    (dict(t_init=float('nan')), 't_init must be a finite number'),
    (dict(reduction='avg'), 'reduction must be one of'),
])
def test_argument_checks(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CTKDLoss(**kwargs)


def test_registered_in_mmaction_models():
    loss = MODELS.build(dict(type='CTKDLoss', tau_min=2.0))
    assert isinstance(loss, CTKDLoss) and isinstance(loss, BaseKDLoss)
    assert loss.tau_min == 2.0
