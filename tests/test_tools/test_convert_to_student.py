import os.path as osp
import pickle
import re
import subprocess
import sys

import pytest
import torch
from helpers import REPO_ROOT, as_cli_options, tiny_cfg_options
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmsakd.registry import MODELS

KD_CFG = 'configs/synthetic/kd_slowfast_tiny_synthetic.py'
STUDENT_CFG = 'configs/synthetic/slowfast_tiny_student_synthetic.py'
TEACHER_CFG = 'configs/synthetic/slowfast_tiny_teacher_synthetic.py'


def _run(tool, *args):
    cmd = [sys.executable, '-W', 'ignore', osp.join(REPO_ROOT, tool), *args]
    return subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)


def _ok(result):
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    return log


def _load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    """An (untrained) teacher checkpoint in the format tools/train.py
    writes."""
    init_default_scope('mmsakd')
    teacher = MODELS.build(
        Config.fromfile(osp.join(REPO_ROOT, TEACHER_CFG)).model)
    teacher.init_weights()
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict(), 'meta': {}}, path)
    return str(path)


def test_distill_convert_and_test_as_student(tiny_data_root, teacher_ckpt,
                                             tmp_path):
    options = tiny_cfg_options(tiny_data_root, max_epochs=1)
    kd_options = {**options, 'model.teacher_ckpt': teacher_ckpt}
    log = _ok(
        _run('tools/train.py', KD_CFG, '--work-dir', str(tmp_path / 'kd'),
             *as_cli_options(kd_options)))
    assert 'loaded the teacher from' in log
    for key in ('loss_ce', 'loss_kd', 'kd_raw', 'alpha_mean'):
        assert key in log, key
    assert 'is skipped since its requires_grad' not in log

    distilled = _load(tmp_path / 'kd' / 'epoch_1.pth')
    keys = list(distilled['state_dict'])
    assert keys and all(k.startswith('student.') for k in keys)

    converted_path = tmp_path / 'student' / 'student.pth'
    out = _ok(
        _run('tools/convert_to_student.py',
             str(tmp_path / 'kd' / 'epoch_1.pth'), str(converted_path)))
    assert f'wrote {len(keys)} student tensors' in out
    converted = _load(converted_path)
    assert set(converted) == {'meta', 'state_dict'}
    assert converted['meta'] == distilled['meta']
    for key, value in distilled['state_dict'].items():
        assert torch.equal(converted['state_dict'][key[len('student.'):]],
                           value)

    student_dump = tmp_path / 'student.pkl'
    student_log = _ok(
        _run('tools/test.py', STUDENT_CFG, str(converted_path), '--work-dir',
             str(tmp_path / 'test_student'), '--dump', str(student_dump),
             *as_cli_options(options)))
    # A plain recognizer loads the converted file without key complaints.
    assert 'do not match exactly' not in student_log
    kd_dump = tmp_path / 'kd.pkl'
    kd_log = _ok(
        _run('tools/test.py', KD_CFG, str(tmp_path / 'kd' / 'epoch_1.pth'),
             '--work-dir', str(tmp_path / 'test_kd'), '--dump', str(kd_dump),
             *as_cli_options(kd_options)))
    assert 'do not match exactly' not in kd_log

    def top1(log):
        return re.findall(r'acc/top1: ([0-9.]+)', log)[-1]

    assert top1(student_log) == top1(kd_log)
    with open(student_dump, 'rb') as f:
        student_preds = pickle.load(f)
    with open(kd_dump, 'rb') as f:
        kd_preds = pickle.load(f)
    assert len(student_preds) == len(kd_preds) == 10
    for a, b in zip(student_preds, kd_preds):
        torch.testing.assert_close(a['pred_score'], b['pred_score'])


def test_convert_errors(teacher_ckpt, tmp_path):
    missing = str(tmp_path / 'nope.pth')
    result = _run('tools/convert_to_student.py', missing,
                  str(tmp_path / 'out.pth'))
    assert result.returncode != 0
    assert 'distillation checkpoint not found' in result.stderr
    assert missing in result.stderr

    # A plain recognizer checkpoint has no student.
    result = _run('tools/convert_to_student.py', teacher_ckpt,
                  str(tmp_path / 'out.pth'))
    assert result.returncode != 0
    assert 'has no "student." keys' in result.stderr
    assert teacher_ckpt in result.stderr
    assert not osp.exists(tmp_path / 'out.pth')
