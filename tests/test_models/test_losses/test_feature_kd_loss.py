import numpy as np
import pytest
import torch

from mmsakd.models.losses import BaseKDLoss, FeatureKDLoss
from mmsakd.registry import MODELS


def _reference(students, teachers, weights, biases):
    """Per-row loss with explicit loops: 1x1x1 conv, block average
    where the student map is a multiple of the teacher's (3x3 blocks,
    where trilinear interpolation would differ), squared error mean,
    mean over levels (float64 numpy)."""
    rows = students[0].shape[0]
    out = np.zeros(rows)
    for s, t, w, b in zip(students, teachers, weights, biases):
        s, t = s.double().numpy(), t.double().numpy()
        w, b = w.detach().double().numpy()[:, :, 0, 0, 0], \
            b.detach().double().numpy()
        for r in range(rows):
            _, ct, tt, ht, wt = (None, ) + t.shape[1:]
            fy, fx = s.shape[3] // ht, s.shape[4] // wt
            total = 0.0
            for o in range(ct):
                for k in range(tt):
                    for y in range(ht):
                        for x in range(wt):
                            acc = 0.0
                            for dy in range(fy):
                                for dx in range(fx):
                                    acc += b[o] + sum(
                                        w[o, c] *
                                        s[r, c, k, y * fy + dy, x * fx + dx]
                                        for c in range(s.shape[1]))
                            value = acc / (fy * fx)
                            total += (value - t[r, o, k, y, x])**2
            out[r] += total / t[r].size
    return out / len(students)


def test_per_sample_matches_explicit_loops():
    gen = torch.Generator().manual_seed(0)
    loss = FeatureKDLoss((3, 2), (4, 5), reduction='none')
    students = (torch.randn(2, 3, 2, 6, 6, generator=gen),
                torch.randn(2, 2, 3, 2, 2, generator=gen))
    teachers = (torch.randn(2, 4, 2, 2, 2, generator=gen),
                torch.randn(2, 5, 3, 2, 2, generator=gen))
    out = loss(students, teachers)
    assert out.shape == (2, ) and out.dtype == torch.float32
    ref = _reference(students, teachers, [c.weight for c in loss.connectors],
                     [c.bias for c in loss.connectors])
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-5)


def test_single_level_and_identity_connector_give_zero():
    feat = torch.randn(3, 4, 2, 3, 3)
    loss = FeatureKDLoss(4, 4, reduction='none')
    with torch.no_grad():
        loss.connectors[0].weight.copy_(torch.eye(4).view(4, 4, 1, 1, 1))
        loss.connectors[0].bias.zero_()
    torch.testing.assert_close(loss(feat, feat), torch.zeros(3))
    # Upsampling (teacher map larger) also works and stays finite.
    up = loss(feat, torch.randn(3, 4, 4, 6, 6))
    assert up.shape == (3, ) and torch.isfinite(up).all()
    assert (up > 0).all()


def test_views_reductions_and_loss_weight():
    gen = torch.Generator().manual_seed(1)
    s = torch.randn(6, 3, 2, 2, 2, generator=gen)
    t = torch.randn(6, 5, 2, 2, 2, generator=gen)
    torch.manual_seed(0)
    loss = FeatureKDLoss(3, 5, reduction='none')
    per_row = loss(s, t)
    logits = torch.zeros(2, 10)  # 2 samples, 3 views each
    per_sample = loss.per_sample(
        student_feats=s, teacher_feats=t, student_logits=logits)
    torch.testing.assert_close(per_sample, per_row.view(2, 3).mean(1))
    torch.testing.assert_close(
        loss(s, t, reduction_override='mean'), per_row.mean())
    torch.testing.assert_close(
        loss(s, t, reduction_override='sum'), per_row.sum())
    loss.loss_weight = 2.5
    torch.testing.assert_close(loss(s, t), 2.5 * per_row)


def test_gradient_reaches_student_and_connector_only():
    s = torch.randn(2, 3, 2, 2, 2, requires_grad=True)
    t = torch.randn(2, 4, 2, 2, 2, requires_grad=True)
    loss = FeatureKDLoss(3, 4)
    loss.per_sample(
        student_feats=s, teacher_feats=t, labels=None,
        teacher_logits=None).mean().backward()
    assert s.grad is not None and s.grad.abs().sum() > 0
    assert loss.connectors[0].weight.grad.abs().sum() > 0
    assert t.grad is None


def test_argument_checks():
    with pytest.raises(ValueError, match='student_channels must be'):
        FeatureKDLoss(0, 4)
    with pytest.raises(ValueError, match='teacher_channels must be'):
        FeatureKDLoss(4, (4, 'a'))
    with pytest.raises(ValueError, match='same number of feature levels'):
        FeatureKDLoss((4, 2), 4)
    with pytest.raises(ValueError, match='loss_weight must be'):
        FeatureKDLoss(4, 4, loss_weight=-1)
    loss = FeatureKDLoss((2, 2), (2, 2))
    with pytest.raises(ValueError, match='2 feature level'):
        loss(torch.zeros(1, 2, 1, 1, 1), torch.zeros(1, 2, 1, 1, 1))
    with pytest.raises(ValueError, match='feature rows for 4 samples'):
        FeatureKDLoss(2, 2).per_sample(
            student_feats=torch.zeros(6, 2, 1, 1, 1),
            teacher_feats=torch.zeros(6, 2, 1, 1, 1),
            student_logits=torch.zeros(4, 3))


def test_registered_in_mmaction_models():
    loss = MODELS.build(
        dict(
            type='FeatureKDLoss',
            student_channels=(64, 16),
            teacher_channels=(128, 64),
            reduction='none'))
    assert isinstance(loss, FeatureKDLoss) and isinstance(loss, BaseKDLoss)
    assert [c.weight.shape[:2] for c in loss.connectors] == [(128, 64),
                                                             (64, 16)]
