"""The forward of :class:`BaseKDLoss` that every loss shares: positional
arguments by ``forward_args``, then ``reduction_override``."""
import pytest
import torch
from torch import nn

from mmsakd.models import (CrossKDLoss, CTKDLoss, DKDLoss, DualKDLoss,
                           FeatureKDLoss, GKDLoss, KDLoss)

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
