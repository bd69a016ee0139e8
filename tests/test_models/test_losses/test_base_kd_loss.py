"""The forward of :class:`BaseKDLoss` that every loss shares: positional
arguments by ``forward_args``, then ``reduction_override``; the channels
and levels of :class:`BaseFeatureKDLoss`."""
import pytest
import torch
from torch import nn

from mmsakd.models import (CrossKDLoss, CTKDLoss, DKDLoss, DualKDLoss,
                           FeatureKDLoss, GKDLoss, KDLoss)
from mmsakd.models.losses import BaseFeatureKDLoss

N, K = 4, 5


def _head(channels):
    return nn.Sequential(
        nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(channels, K))


class _Student(nn.Module):

    def __init__(self):
        super().__init__()
        self.cls_head = _head(2)


def _inputs():
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    return dict(
        student_logits=torch.randn(N, K, generator=gen),
        teacher_logits=torch.randn(N, K, generator=gen),
        labels=torch.arange(N) % K,
        student_feats=torch.randn(N, 2, 2, 4, 4, generator=gen),
        teacher_feats=torch.randn(N, 3, 2, 4, 4, generator=gen),
        teacher=_head(3),
        student=_Student())


LOSSES = [
    (KDLoss, {}, ('student_logits', 'teacher_logits')),
    (CTKDLoss, {}, ('student_logits', 'teacher_logits')),
    (DKDLoss, {}, ('student_logits', 'teacher_logits', 'labels')),
    (FeatureKDLoss, dict(student_channels=2, teacher_channels=3),
     ('student_feats', 'teacher_feats')),
    (GKDLoss, dict(student_channels=2,
                   teacher_channels=3), ('student_feats', 'teacher_feats')),
    (CrossKDLoss, dict(student_channels=2, teacher_channels=3),
     ('student_feats', 'teacher_logits', 'teacher')),
    (DualKDLoss, dict(student_channels=2, teacher_channels=3),
     ('student_feats', 'teacher_feats', 'student_logits', 'student')),
]


@pytest.mark.parametrize('loss_type, kwargs, names', LOSSES)
def test_positional_and_keyword_calls(loss_type, kwargs, names):
    torch.manual_seed(1)
    # Eval mode: no sampling (GKD) and no EMA step (DualKD) between calls.
    loss = loss_type(reduction='none', **kwargs).eval()
    assert loss.forward_args == names
    inputs = _inputs()
    args = [inputs[name] for name in names]
    named = {name: inputs[name] for name in names}
    per_sample = loss.per_sample(**named)
    assert per_sample.shape == (N, )
    assert torch.equal(loss(*args), per_sample)
    assert torch.equal(loss(**named), per_sample)
    for reduction, expected in (('sum', per_sample.sum()), ('mean',
                                                            per_sample.mean()),
                                ('none', per_sample)):
        assert torch.equal(loss(*args, reduction), expected)
        assert torch.equal(loss(*args, reduction_override=reduction), expected)
        assert torch.equal(
            loss(
                *args[:1],
                reduction_override=reduction,
                **{name: inputs[name]
                   for name in names[1:]}), expected)
    with pytest.raises(ValueError, match='reduction_override must be one'):
        loss(*args, 'avg')
    with pytest.raises(TypeError, match='at most'):
        loss(*args, 'sum', 'sum')
    with pytest.raises(
            TypeError,
            match="multiple values for argument "
            "'reduction_override'"):
        loss(*args, 'sum', reduction_override='sum')
    with pytest.raises(
            TypeError, match=f'multiple values for argument '
            f"'{names[0]}'"):
        loss(*args, **{names[0]: args[0]})


class _LevelMeans(BaseFeatureKDLoss):
    """The mean student feature of each row, averaged over the levels."""

    def per_sample(self, student_feats, teacher_feats, **kwargs):
        students, _ = self.levels(student_feats, teacher_feats)
        return sum(s.flatten(1).mean(dim=1) for s in students) / \
            self.num_levels


def test_feature_base_checks_channels_and_levels():
    loss = _LevelMeans((4, 2), [8, 3], reduction='sum')
    assert loss.forward_args == ('student_feats', 'teacher_feats')
    assert (loss.student_channels, loss.teacher_channels) == ((4, 2), (8, 3))
    assert loss.num_levels == 2
    slow, fast = torch.ones(3, 4, 2, 2, 2), torch.full((3, 2, 4, 2, 2), 3.)
    teacher = (torch.zeros(3, 8, 1, 1, 1), torch.zeros(3, 3, 1, 1, 1))
    assert loss((slow, fast), teacher).item() == 3 * (1 + 3) / 2
    with pytest.raises(ValueError, match='2 feature level'):
        loss(slow, teacher)
    with pytest.raises(ValueError, match='same number of feature levels'):
        _LevelMeans((4, 2), 8)
    with pytest.raises(ValueError, match='loss_weight must be a number >= 0'):
        _LevelMeans(4, 8, loss_weight=-1)
