import os.path as osp

import pytest
import torch
from helpers import REPO_ROOT
from mmengine.registry import init_default_scope

from mmsakd.models.utils import resolve_model_cfg
from mmsakd.registry import MODELS


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    """A checkpoint of the tiny SlowFast teacher with non-trivial BN
    statistics and confident predictions (KD losses far from 0, where
    float32 rounding is small)."""
    # Recognizers build their parts from the default scope's registry.
    init_default_scope('mmsakd')
    torch.manual_seed(0)
    teacher = MODELS.build(
        resolve_model_cfg(
            dict(
                cfg_path=osp.join(
                    REPO_ROOT,
                    'configs/_base_/models/slowfast_tiny_teacher.py')), 't'))
    teacher.init_weights()
    with torch.no_grad():
        teacher.cls_head.fc_cls.weight.normal_(0, 1)
        for name, buf in teacher.named_buffers():
            if name.endswith('running_mean'):
                buf.copy_(torch.randn(buf.shape) * 0.1)
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict(), 'meta': {}}, path)
    return str(path)
