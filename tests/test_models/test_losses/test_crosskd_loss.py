import os.path as osp

import numpy as np
import pytest
import torch
from helpers import REPO_ROOT
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope
from torch import nn

from mmsakd.models import BaseKDLoss, CrossKDLoss, SAKDDistiller
from mmsakd.registry import MODELS

NUM_CLASSES = 5


@pytest.fixture(scope='module', autouse=True)
def mmaction_scope():
    init_default_scope('mmsakd')


def _teacher_head(seed=0):
    torch.manual_seed(seed)
    head = MODELS.build(
        dict(
            type='SlowFastHead',
            in_channels=12,  # slow 8 + fast 4
            num_classes=NUM_CLASSES,
            dropout_ratio=0.5))
    with torch.no_grad():
        head.fc_cls.weight.normal_(0, 1)
        head.fc_cls.bias.normal_(0, 1)
    return head.eval()


def _student_feats(n, seed=1, requires_grad=False):
    gen = torch.Generator().manual_seed(seed)
    slow = torch.randn(n, 4, 2, 3, 3, generator=gen)
    fast = torch.randn(n, 2, 8, 3, 3, generator=gen)
    return slow.requires_grad_(requires_grad), fast.requires_grad_(
        requires_grad)


def _reference_kd(logits, teacher_logits, tau):
    s = logits.detach().double().numpy() / tau
    t = teacher_logits.detach().double().numpy() / tau
    p_s = np.exp(s - s.max(1, keepdims=True))
    p_s /= p_s.sum(1, keepdims=True)
    p_t = np.exp(t - t.max(1, keepdims=True))
    p_t /= p_t.sum(1, keepdims=True)
    return tau**2 * (p_t * (np.log(p_t) - np.log(p_s))).sum(1)


def _manual_head(loss, head, slow, fast):
    """The connectors and the SlowFast head written out by hand: 1x1x1
    convolutions as channel matmuls, global average pool, (fast, slow)
    concatenation, linear layer."""

    def conv(conv_module, x):
        weight = conv_module.weight.detach()[:, :, 0, 0, 0]
        return torch.einsum('oc,ncthw->nothw', weight,
                            x) + conv_module.bias.detach().view(
                                1, -1, 1, 1, 1)

    slow = conv(loss.connectors[0], slow).mean(dim=(2, 3, 4))
    fast = conv(loss.connectors[1], fast).mean(dim=(2, 3, 4))
    pooled = torch.cat([fast, slow], dim=1)
    return pooled @ head.fc_cls.weight.detach().t() + head.fc_cls.bias.detach()


@pytest.mark.parametrize('views', [1, 3])
def test_matches_manual_teacher_head(views):
    head = _teacher_head()
    torch.manual_seed(2)
    loss = CrossKDLoss((4, 2), (8, 4), tau=2.0, reduction='none')
    n = 4
    slow, fast = _student_feats(n * views)
    teacher_logits = torch.randn(n, NUM_CLASSES) * 2
    cross = loss.cross_logits((slow, fast), head)
    manual = _manual_head(loss, head, slow, fast)
    assert torch.allclose(cross, manual, atol=1e-5)
    # The recognizer or its head are both accepted.
    recognizer = nn.Module()
    recognizer.cls_head = head
    assert torch.allclose(loss.cross_logits((slow, fast), recognizer), cross)
    # Views of a sample are averaged, sample-major as in the recognizers.
    averaged = manual.view(n, views, NUM_CLASSES).mean(dim=1)
    values = loss(
        student_feats=(slow, fast),
        teacher_logits=teacher_logits,
        teacher=head)
    assert values.shape == (n, )
    np.testing.assert_allclose(
        values.detach().numpy(),
        _reference_kd(averaged, teacher_logits, 2.0),
        rtol=1e-4,
        atol=1e-6)
    assert values.min() > 1e-3


def test_reductions_and_identity_connector():
    head = _teacher_head()
    slow, fast = _student_feats(3, seed=3)
    slow, fast = slow.repeat(1, 2, 1, 1, 1), fast.repeat(1, 2, 1, 1, 1)
    teacher_logits = torch.randn(3, NUM_CLASSES)
    # Same widths: no connector parameters, the head sees the features.
    loss = CrossKDLoss((8, 4), [8, 4], reduction='none')
    assert list(loss.parameters()) == []
    assert torch.allclose(
        loss.cross_logits((slow, fast), head), head((slow, fast)), atol=1e-6)
    per_sample = loss((slow, fast), teacher_logits, head)
    assert torch.allclose(
        CrossKDLoss((8, 4), (8, 4))((slow, fast), teacher_logits, head),
        per_sample.mean())
    assert torch.allclose(
        CrossKDLoss((8, 4), (8, 4), reduction='sum')((slow, fast),
                                                     teacher_logits, head),
        per_sample.sum())
    assert torch.allclose(
        CrossKDLoss((8, 4), (8, 4), loss_weight=2.0, reduction='none')(
            (slow, fast), teacher_logits, head), 2 * per_sample)


def test_single_tensor_features():
    torch.manual_seed(4)
    head = MODELS.build(
        dict(type='I3DHead', in_channels=6, num_classes=NUM_CLASSES))
    head.eval()
    loss = CrossKDLoss(3, 6, reduction='none')
    assert isinstance(loss.connectors[0], nn.Conv3d)
    feats = torch.randn(2, 3, 2, 4, 4)
    manual = head(loss.connectors[0](feats))
    assert torch.allclose(loss.cross_logits(feats, head), manual)
    # 2D features (N, C, H, W) get a Conv2d connector.
    loss = CrossKDLoss(3, 6, spatial_dims=2, reduction='none')
    assert isinstance(loss.connectors[0], nn.Conv2d)
    head_2d = nn.Sequential(
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, NUM_CLASSES))
    feats = torch.randn(2, 3, 4, 4)
    assert torch.allclose(
        loss.cross_logits(feats, head_2d), head_2d(loss.connectors[0](feats)))


def test_gradient_reaches_student_and_connectors_not_teacher_head():
    head = _teacher_head()
    # Even a head whose parameters require grad gets none.
    head.requires_grad_(True)
    loss = CrossKDLoss((4, 2), (8, 4))
    slow, fast = _student_feats(4, seed=5, requires_grad=True)
    teacher_logits = torch.randn(4, NUM_CLASSES, requires_grad=True)
    loss((slow, fast), teacher_logits, head).backward()
    assert slow.grad.abs().sum() > 0 and fast.grad.abs().sum() > 0
    for param in loss.parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0
    assert all(param.grad is None for param in head.parameters())
    assert teacher_logits.grad is None
    # The head is not kept: it is no submodule of the loss.
    assert not any('fc_cls' in name for name, _ in loss.named_parameters())


def test_in_distiller_student_gets_gradient_teacher_none():
    cfg_path = osp.join(REPO_ROOT, 'configs/_base_/models/')
    torch.manual_seed(0)
    model = SAKDDistiller(
        student=dict(
            cfg_path=cfg_path + 'slowfast_tiny_student.py',
            cls_head=dict(dropout_ratio=0.)),
        teacher=dict(cfg_path=cfg_path + 'slowfast_tiny_teacher.py'),
        kd_loss=dict(
            type='CrossKDLoss',
            student_channels=(64, 16),
            teacher_channels=(128, 64)),
        alpha=1.0,
        untrained_teacher=True)
    model.init_weights()
    assert not any(
        name.startswith('teacher') or 'kd_loss.teacher' in name
        for name, _ in model.named_parameters())
    inputs = torch.randn(2, 1, 3, 16, 32, 32)
    samples = [ActionDataSample().set_gt_label(i) for i in (1, 3)]
    losses = model.loss(inputs, samples)
    assert losses['kd_raw'] > 0
    losses['loss_kd'].backward()
    student_grads = [
        p.grad for p in model.student.backbone.parameters()
        if p.grad is not None
    ]
    assert student_grads and sum(g.abs().sum() for g in student_grads) > 0
    for param in model.kd_loss.parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.teacher.parameters())
    # The student's own head is not on the CrossKD path.
    assert model.student.cls_head.fc_cls.weight.grad is None


def test_needs_teacher_and_matching_features():
    loss = CrossKDLoss((4, 2), (8, 4))
    slow, fast = _student_feats(2)
    logits = torch.zeros(2, NUM_CLASSES)
    with pytest.raises(ValueError, match='CrossKDLoss needs the teacher'):
        loss.per_sample(student_feats=(slow, fast), teacher_logits=logits)
    with pytest.raises(ValueError, match='student feature tensor'):
        loss((slow, ), logits, _teacher_head())
    with pytest.raises(ValueError, match='student_channels=2 channels'):
        loss((slow, slow), logits, _teacher_head())


@pytest.mark.parametrize('kwargs, message', [
    (dict(student_channels=0, teacher_channels=4), 'student_channels must'),
    (dict(student_channels=(), teacher_channels=()), 'student_channels must'),
    (dict(student_channels=4, teacher_channels='8'), 'teacher_channels must'),
    (dict(student_channels=(4, 2),
          teacher_channels=(8, )), 'must have the same length'),
    (dict(student_channels=4, teacher_channels=8,
          spatial_dims=1), 'spatial_dims must be 2 or 3'),
    (dict(student_channels=4, teacher_channels=8,
          tau=0), 'tau must be a number > 0'),
])
def test_argument_checks(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CrossKDLoss(**kwargs)


def test_registered_in_mmaction_models():
    loss = MODELS.build(
        dict(
            type='CrossKDLoss',
            student_channels=(64, 16),
            teacher_channels=(128, 64)))
    assert isinstance(loss, CrossKDLoss) and isinstance(loss, BaseKDLoss)
    assert [c.weight.shape[:2] for c in loss.connectors] == [(128, 64),
                                                             (64, 16)]
