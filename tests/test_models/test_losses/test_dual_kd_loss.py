import numpy as np
import pytest
import torch
from mmengine.runner.checkpoint import \
    load_state_dict as mmengine_load_state_dict
from scipy.optimize import linprog
from torch import nn

from mmsakd.models.losses import BaseKDLoss, DualKDLoss, KDLoss
from mmsakd.models.losses.dual_kd_loss import sinkhorn_cost
from mmsakd.registry import MODELS


class _Head(nn.Module):
    """Average pooling, dropout and a linear classifier, like SlowFastHead
    for a single tensor."""

    def __init__(self, channels=3, num_classes=5):
        super().__init__()
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x):
        return self.fc(self.dropout(x.mean(dim=(2, 3, 4))))


class _Student(nn.Module):

    def __init__(self, channels=3):
        super().__init__()
        self.cls_head = _Head(channels)


def _exact_ot(cost):
    n, m = cost.shape
    a_eq = np.zeros((n + m, n * m))
    for i in range(n):
        a_eq[i, i * m:(i + 1) * m] = 1
    for j in range(m):
        a_eq[n + j, j::m] = 1
    b_eq = np.concatenate([np.full(n, 1 / n), np.full(m, 1 / m)])
    return linprog(cost.ravel(), A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun


def _numpy_sinkhorn(cost, eps, iters):
    """Plain (not log-domain) scaling iterations, float64."""
    n, m = cost.shape
    kernel = np.exp(-cost / eps)
    u, v = np.ones(n), np.ones(m)
    for _ in range(iters):
        u = (1 / n) / (kernel @ v)
        v = (1 / m) / (kernel.T @ u)
    plan = u[:, None] * kernel * v[None, :]
    return (plan * cost).sum()


def test_sinkhorn_converges_to_exact_ot():
    gen = torch.Generator().manual_seed(0)
    costs = torch.rand(4, 3, 3, generator=gen)
    out = sinkhorn_cost(costs, eps=2e-3, num_iters=3000)
    exact = [_exact_ot(c.double().numpy()) for c in costs]
    np.testing.assert_allclose(out.numpy(), exact, atol=2e-3)
    # The entropic plan is smoother than the exact one: it costs more.
    smooth = sinkhorn_cost(costs, eps=0.5, num_iters=200)
    assert (smooth.numpy() > np.array(exact) + 1e-3).all()


def test_sinkhorn_matches_plain_scaling_iterations():
    gen = torch.Generator().manual_seed(1)
    costs = torch.rand(3, 4, 5, generator=gen) * 2
    for iters in (1, 50):
        out = sinkhorn_cost(costs, eps=0.1, num_iters=iters)
        ref = [_numpy_sinkhorn(c.double().numpy(), 0.1, iters) for c in costs]
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-4)


def _ot_reference(loss, s, t):
    """The OT term written out per row with numpy."""
    w = loss.connectors[0].weight.detach().double().numpy()[:, :, 0, 0, 0]
    b = loss.connectors[0].bias.detach().double().numpy()
    out = []
    for row_s, row_t in zip(s.double().numpy(), t.double().numpy()):
        tok_s = (w @ row_s.reshape(row_s.shape[0], -1) + b[:, None]).T
        tok_t = row_t.reshape(row_t.shape[0], -1).T
        tok_s /= np.linalg.norm(tok_s, axis=1, keepdims=True)
        tok_t /= np.linalg.norm(tok_t, axis=1, keepdims=True)
        out.append(
            _numpy_sinkhorn(1 - tok_s @ tok_t.T, loss.eps, loss.num_iters))
    return np.array(out)


def test_ot_term_matches_numpy():
    gen = torch.Generator().manual_seed(2)
    s = torch.randn(3, 3, 2, 2, 2, generator=gen)
    t = torch.randn(3, 4, 2, 2, 2, generator=gen)
    loss = DualKDLoss(3, 4, self_weight=0, ot_weight=2.0, reduction='none')
    np.testing.assert_allclose(
        loss(s, t).detach().numpy(), 2 * _ot_reference(loss, s, t), rtol=1e-4)


def _inputs(seed, rows=4, samples=4):
    gen = torch.Generator().manual_seed(seed)
    s = torch.randn(rows, 3, 2, 2, 2, generator=gen)
    t = torch.randn(rows, 4, 2, 2, 2, generator=gen)
    logits = torch.randn(samples, 5, generator=gen)
    return s, t, logits


def test_ema_update_math_and_when_it_happens():
    torch.manual_seed(0)
    student = _Student()
    loss = DualKDLoss(3, 4, momentum=0.9)
    s, t, logits = _inputs(3)
    kwargs = dict(
        student_feats=s,
        teacher_feats=t,
        student_logits=logits,
        student=student)
    assert not loss.ema_initialized
    loss.per_sample(**kwargs)  # first call: copy
    head = dict(student.cls_head.named_parameters())
    for name, value in loss.ema_state().items():
        assert torch.equal(value, head[name]) and value is not head[name]
    old = {k: v.clone() for k, v in loss.ema_state().items()}
    with torch.no_grad():  # an optimizer step
        for p in student.cls_head.parameters():
            p.add_(torch.randn_like(p))
    loss.per_sample(**kwargs)
    for name, value in loss.ema_state().items():
        torch.testing.assert_close(value, 0.9 * old[name] + 0.1 * head[name])
    updated = {k: v.clone() for k, v in loss.ema_state().items()}
    # Scoring (no_grad) and eval mode do not update.
    with torch.no_grad():
        loss.per_sample(**kwargs)
    loss.eval()
    loss.per_sample(**kwargs)
    for name, value in loss.ema_state().items():
        assert torch.equal(value, updated[name])
    assert not any(b.requires_grad for b in loss.buffers())
    assert not any('ema' in name for name, _ in loss.named_parameters())


def test_self_distillation_is_kd_from_the_ema_head():
    torch.manual_seed(1)
    student = _Student()
    loss = DualKDLoss(3, 4, ot_weight=0, momentum=0.5, reduction='none')
    # 2 samples with 2 views each.
    s, t, logits = _inputs(4, rows=4, samples=2)
    logits.requires_grad_()
    kwargs = dict(
        student_feats=s,
        teacher_feats=t,
        student_logits=logits,
        student=student)
    loss.per_sample(**kwargs)
    with torch.no_grad():
        student.cls_head.fc.weight.mul_(-2)
    out = loss.per_sample(**kwargs)
    ema = loss.ema_state()
    pooled = s.mean(dim=(2, 3, 4))
    ema_logits = (pooled @ ema['fc.weight'].T +
                  ema['fc.bias']).view(2, 2,
                                       5).mean(1)  # no dropout in the target
    expected = KDLoss(tau=4.0, reduction='none')(logits, ema_logits)
    torch.testing.assert_close(out, expected)
    out.sum().backward()
    assert logits.grad.abs().sum() > 0
    assert student.cls_head.fc.weight.grad is None
    # The head's own train flag is restored.
    assert student.cls_head.training and student.cls_head.dropout.training


def test_total_views_reductions_and_gradients():
    torch.manual_seed(2)
    student = _Student()
    loss = DualKDLoss(3, 4, loss_weight=0.5, reduction='none')
    s, t, logits = _inputs(5, rows=6, samples=3)
    s.requires_grad_()
    t.requires_grad_()
    logits.requires_grad_()
    kwargs = dict(
        student_feats=s,
        teacher_feats=t,
        student_logits=logits,
        student=student)
    out = loss.per_sample(**kwargs)
    ot_only = DualKDLoss(3, 4, self_weight=0, reduction='none')
    ot_only.load_state_dict(loss.state_dict())
    sd_only = DualKDLoss(3, 4, ot_weight=0, reduction='none')
    sd_only.load_state_dict(loss.state_dict())
    with torch.no_grad():
        ot = ot_only.per_sample(**kwargs)
        sd = sd_only.per_sample(**kwargs)
    torch.testing.assert_close(out.detach(), 0.5 * (ot + sd))
    rows = ot_only(s.detach(), t.detach())  # no logits: one row = sample
    torch.testing.assert_close(ot, rows.view(3, 2).mean(1))
    torch.testing.assert_close(
        loss(s, t, logits, student, reduction_override='mean'), out.mean())
    out.sum().backward()
    assert s.grad.abs().sum() > 0 and logits.grad.abs().sum() > 0
    assert loss.connectors[0].weight.grad.abs().sum() > 0
    assert t.grad is None


def test_ema_is_checkpointed_and_restored():
    torch.manual_seed(3)
    student = _Student()
    loss = DualKDLoss(3, 4)
    s, t, logits = _inputs(6)
    loss.per_sample(
        student_feats=s,
        teacher_feats=t,
        student_logits=logits,
        student=student)
    state = loss.state_dict()
    assert {'ema_head.fc__weight', 'ema_head.fc__bias'} <= set(state)
    fresh = DualKDLoss(3, 4)
    fresh.load_state_dict(state, strict=True)
    for name, value in loss.ema_state().items():
        assert torch.equal(fresh.ema_state()[name], value)
    # mmengine's loader (runner resume) walks the modules itself.
    wrapped = nn.Module()
    wrapped.kd_loss = DualKDLoss(3, 4)
    mmengine_load_state_dict(
        wrapped, {
            f'kd_loss.{k}': v
            for k, v in state.items()
        }, strict=True)
    for name, value in loss.ema_state().items():
        assert torch.equal(wrapped.kd_loss.ema_state()[name], value)


def test_argument_checks():
    for kwargs, message in [
        (dict(tau=0), 'tau must be a number > 0'),
        (dict(eps=-1), 'eps must be a number > 0'),
        (dict(num_iters=0), 'num_iters must be an integer >= 1'),
        (dict(momentum=1), r'momentum must be in \[0, 1\)'),
        (dict(ot_weight=-1), 'ot_weight must be a number >= 0'),
        (dict(self_weight=-1), 'self_weight must be a number >= 0'),
    ]:
        with pytest.raises(ValueError, match=message):
            DualKDLoss(3, 4, **kwargs)
    s, t, logits = _inputs(7)
    with pytest.raises(ValueError, match='needs student='):
        DualKDLoss(3, 4).per_sample(
            student_feats=s, teacher_feats=t, student_logits=logits)


def test_registered_in_mmaction_models():
    loss = MODELS.build(
        dict(
            type='DualKDLoss',
            student_channels=(64, 16),
            teacher_channels=(128, 64)))
    assert isinstance(loss, DualKDLoss) and isinstance(loss, BaseKDLoss)
    assert loss.eps == 0.1 and loss.num_iters == 50
    assert loss.momentum == 0.999 and loss.tau == 4.0
