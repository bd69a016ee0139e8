import numpy as np
import pytest
import torch

from mmsakd.models import BaseKDLoss, KDLoss
from mmsakd.registry import MODELS


def _reference_kd(student, teacher, tau):
    """sum_k p_t (log p_t - log p_s) * tau^2 per row, float64 numpy."""
    s = student.detach().double().numpy() / tau
    t = teacher.detach().double().numpy() / tau
    log_p_s = s - np.log(
        np.exp(s - s.max(1, keepdims=True)).sum(1, keepdims=True)) - s.max(
            1, keepdims=True)
    log_p_t = t - np.log(
        np.exp(t - t.max(1, keepdims=True)).sum(1, keepdims=True)) - t.max(
            1, keepdims=True)
    return tau**2 * (np.exp(log_p_t) * (log_p_t - log_p_s)).sum(1)


@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_per_sample_matches_explicit_kl(tau):
    gen = torch.Generator().manual_seed(0)
    student = torch.randn(6, 10, generator=gen) * 3
    teacher = torch.randn(6, 10, generator=gen) * 3
    loss = KDLoss(tau=tau, reduction='none')(student, teacher)
    assert loss.shape == (6, )
    np.testing.assert_allclose(
        loss.numpy(),
        _reference_kd(student, teacher, tau),
        rtol=1e-5,
        atol=1e-6)
    assert torch.equal(KDLoss(tau=tau).per_sample(student, teacher), loss)


def test_reductions_and_loss_weight():
    gen = torch.Generator().manual_seed(1)
    student, teacher = torch.randn(2, 5, 7, generator=gen)
    per_sample = KDLoss(reduction='none')(student, teacher)
    assert torch.allclose(KDLoss()(student, teacher), per_sample.mean())
    assert torch.allclose(
        KDLoss(reduction='sum')(student, teacher), per_sample.sum())
    assert torch.allclose(
        KDLoss(loss_weight=2.5, reduction='none')(student, teacher),
        2.5 * per_sample)
    assert torch.allclose(
        KDLoss()(student, teacher, reduction_override='none'), per_sample)
    # Identical predictions: no divergence.
    assert torch.allclose(
        KDLoss(reduction='none')(teacher, teacher), torch.zeros(5), atol=1e-6)


def test_gradient_reaches_student_only():
    gen = torch.Generator().manual_seed(2)
    student = torch.randn(4, 6, generator=gen).requires_grad_()
    teacher = torch.randn(4, 6, generator=gen).requires_grad_()
    KDLoss()(student, teacher).backward()
    assert student.grad is not None and student.grad.abs().sum() > 0
    assert teacher.grad is None


def test_argument_checks():
    with pytest.raises(ValueError, match='tau must be a number > 0'):
        KDLoss(tau=0)
    with pytest.raises(ValueError, match='reduction must be one of'):
        KDLoss(reduction='batchmean')
    with pytest.raises(ValueError, match='loss_weight must be'):
        KDLoss(loss_weight=-1)
    with pytest.raises(ValueError, match='reduction_override'):
        KDLoss()(torch.zeros(2, 3), torch.zeros(2, 3), 'avg')
    with pytest.raises(ValueError, match=r'shape \(N, K\)'):
        KDLoss()(torch.zeros(2, 3), torch.zeros(2, 4))


def test_registered_in_mmaction_models():
    loss = MODELS.build(dict(type='KDLoss', tau=2.0, reduction='none'))
    assert isinstance(loss, KDLoss) and isinstance(loss, BaseKDLoss)
    assert loss.tau == 2.0 and loss.reduction == 'none'
