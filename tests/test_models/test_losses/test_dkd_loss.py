import numpy as np
import pytest
import torch

from mmsakd.models import BaseKDLoss, DKDLoss
from mmsakd.registry import MODELS


def _softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def _kl(p, q):
    return float((p * (np.log(p) - np.log(q))).sum())


def _reference_dkd(student, teacher, labels, alpha, beta, tau):
    """Per sample TCKD, NCKD and DKD from explicit distributions, float64."""
    s = student.detach().double().numpy() / tau
    t = teacher.detach().double().numpy() / tau
    tckd, nckd = [], []
    for row_s, row_t, y in zip(s, t, labels.tolist()):
        p_s, p_t = _softmax(row_s), _softmax(row_t)
        b_s = np.array([p_s[y], p_s.sum() - p_s[y]])
        b_t = np.array([p_t[y], p_t.sum() - p_t[y]])
        # Non-target distributions: renormalised probabilities without y.
        q_s, q_t = np.delete(p_s, y), np.delete(p_t, y)
        q_s, q_t = q_s / q_s.sum(), q_t / q_t.sum()
        tckd.append(tau**2 * _kl(b_t, b_s))
        nckd.append(tau**2 * _kl(q_t, q_s))
    tckd, nckd = np.array(tckd), np.array(nckd)
    return tckd, nckd, alpha * tckd + beta * nckd


def _batch(seed=0, n=6, k=7):
    gen = torch.Generator().manual_seed(seed)
    student = torch.randn(n, k, generator=gen) * 2
    teacher = torch.randn(n, k, generator=gen) * 2
    labels = torch.randint(0, k, (n, ), generator=gen)
    return student, teacher, labels


@pytest.mark.parametrize('alpha, beta, tau', [(1.0, 8.0, 4.0),
                                              (0.5, 2.0, 1.0)])
def test_matches_explicit_distributions(runtime_info, alpha, beta, tau):
    student, teacher, labels = _batch()
    loss = DKDLoss(alpha=alpha, beta=beta, tau=tau, reduction='none')
    tckd, nckd = loss.decoupled(student, teacher, labels)
    ref_tckd, ref_nckd, ref = _reference_dkd(student, teacher, labels, alpha,
                                             beta, tau)
    np.testing.assert_allclose(tckd.numpy(), ref_tckd, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(nckd.numpy(), ref_nckd, rtol=1e-4, atol=1e-6)
    values = loss(student, teacher, labels)
    assert values.shape == (6, ) and values.dtype == torch.float32
    np.testing.assert_allclose(values.numpy(), ref, rtol=1e-4, atol=1e-6)
    # Both terms matter: neither is ~0 on these logits.
    assert ref_tckd.min() > 1e-3 and ref_nckd.min() > 1e-3


def test_soft_labels_use_argmax_and_reductions(runtime_info):
    student, teacher, labels = _batch(seed=1)
    soft = torch.nn.functional.one_hot(labels, 7).float() * 0.8 + 0.2 / 7
    per_sample = DKDLoss(reduction='none')(student, teacher, labels)
    assert torch.allclose(
        DKDLoss(reduction='none')(student, teacher, soft), per_sample)
    assert torch.allclose(DKDLoss()(student, teacher, labels),
                          per_sample.mean())
    assert torch.allclose(
        DKDLoss(reduction='sum')(student, teacher, labels), per_sample.sum())
    assert torch.allclose(
        DKDLoss(loss_weight=3.0, reduction='none')(student, teacher, labels),
        3 * per_sample)
    assert torch.equal(
        DKDLoss().per_sample(
            student_logits=student,
            teacher_logits=teacher,
            labels=labels,
            student_feats=None,
            teacher=None), per_sample)
    # Identical predictions: no divergence.
    assert torch.allclose(
        DKDLoss(reduction='none')(teacher, teacher, labels),
        torch.zeros(6),
        atol=1e-5)


def test_needs_labels():
    student, teacher, _ = _batch()
    with pytest.raises(ValueError, match='DKDLoss needs labels'):
        DKDLoss().per_sample(
            student_logits=student, teacher_logits=teacher, labels=None)


def test_gradient_reaches_student_only(runtime_info):
    student, teacher, labels = _batch(seed=2)
    student.requires_grad_()
    teacher.requires_grad_()
    DKDLoss()(student, teacher, labels).backward()
    assert student.grad is not None and student.grad.abs().sum() > 0
    assert torch.isfinite(student.grad).all()
    assert teacher.grad is None


def test_extreme_logits_stay_finite(runtime_info):
    # A teacher sure of the target: log(1 - p[y]) must not be log(0).
    student, teacher, labels = _batch(seed=3)
    teacher[torch.arange(6), labels] = 200.0
    student.requires_grad_()
    loss = DKDLoss()(student, teacher, labels)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(student.grad).all()


@pytest.mark.parametrize(
    'info, expected',
    [
        (dict(), 1.0),  # no runner: no warm-up
        (dict(epoch=0, max_epochs=240), 1 / 20),
        (dict(epoch=9, max_epochs=240), 10 / 20),
        (dict(epoch=19, max_epochs=240), 1.0),
        (dict(epoch=100, max_epochs=240), 1.0),
        # 48 epochs: the warm-up lasts 48 / 12 = 4 epochs.
        (dict(epoch=0, max_epochs=48), 1 / 4),
        (dict(epoch=2, max_epochs=48), 3 / 4),
        (dict(epoch=3, max_epochs=48), 1.0),
        # Shorter than one epoch: full weight from the start.
        (dict(epoch=0, max_epochs=1), 1.0),
        # No max_epochs: the unscaled 20 epochs.
        (dict(epoch=4), 5 / 20),
    ])
def test_warmup_factor(runtime_info, info, expected):
    runtime_info(**info)
    loss = DKDLoss(reduction='none')
    assert loss.warmup_factor() == pytest.approx(expected)
    student, teacher, labels = _batch(seed=4)
    runtime_info()
    full = loss(student, teacher, labels)
    runtime_info(**info)
    assert torch.allclose(loss(student, teacher, labels), expected * full)


def test_warmup_can_be_turned_off(runtime_info):
    runtime_info(epoch=0, max_epochs=240)
    assert DKDLoss(warmup_epochs=0).warmup_factor() == 1.0
    assert DKDLoss(warmup_epochs=5).warmup_factor() == pytest.approx(0.2)


@pytest.mark.parametrize('kwargs, message', [
    (dict(alpha=-1), 'alpha must be a number >= 0'),
    (dict(beta='8'), 'beta must be a number >= 0'),
    (dict(tau=0), 'tau must be a number > 0'),
    (dict(warmup_epochs=-1), 'warmup_epochs must be a number >= 0'),
    (dict(warmup_ratio=0), r'warmup_ratio must be in \(0, 1\]'),
    (dict(reduction='batchmean'), 'reduction must be one of'),
])
def test_argument_checks(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DKDLoss(**kwargs)


def test_shape_checks():
    with pytest.raises(ValueError, match=r'shape \(N, K\)'):
        DKDLoss()(torch.zeros(2, 3), torch.zeros(2, 4), torch.zeros(2))
    with pytest.raises(ValueError, match='labels must have shape'):
        DKDLoss()(torch.zeros(2, 3), torch.zeros(2, 3), torch.zeros(3))


def test_registered_in_mmaction_models():
    loss = MODELS.build(dict(type='DKDLoss', beta=2.0, reduction='none'))
    assert isinstance(loss, DKDLoss) and isinstance(loss, BaseKDLoss)
    assert loss.beta == 2.0 and loss.reduction == 'none'
