"""tools/convert_to_student.py: a distilled checkpoint converted and tested
as a plain student (the training and the tests run as tools/train.py and
tools/test.py do, in the test process), and the tool's errors."""
import importlib.util
import os.path as osp
import pickle
import re
import subprocess
import sys

import pytest
import torch
from helpers import (REPO_ROOT, evaluate_in_process, tiny_cfg_options,
                     train_in_process)
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmsakd.registry import MODELS

KD_CFG = 'configs/synthetic/kd_slowfast_tiny_synthetic.py'
STUDENT_CFG = 'configs/synthetic/slowfast_tiny_student_synthetic.py'
TEACHER_CFG = 'configs/synthetic/slowfast_tiny_teacher_synthetic.py'
CONVERT = osp.join(REPO_ROOT, 'tools', 'convert_to_student.py')


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
    log = train_in_process(KD_CFG, tmp_path / 'kd', kd_options).output
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
    # Stdout and stderr, where MMEngine prints the keys that a checkpoint
    # does not match.
    student_log = evaluate_in_process(STUDENT_CFG, converted_path,
                                      tmp_path / 'test_student', options,
                                      '--dump', str(student_dump)).output
    # A plain recognizer loads the converted file without key complaints.
    assert 'do not match exactly' not in student_log
    kd_dump = tmp_path / 'kd.pkl'
    kd_log = evaluate_in_process(KD_CFG, tmp_path / 'kd' / 'epoch_1.pth',
                                 tmp_path / 'test_kd', kd_options, '--dump',
                                 str(kd_dump)).output
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


def _convert_error(monkeypatch, *args):
    """The message that ``main`` of the tool, run with ``args``, exits with:
    what the script prints to stderr before it exits with status 1."""
    spec = importlib.util.spec_from_file_location('_convert_tool', CONVERT)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    monkeypatch.setattr(sys, 'argv', [CONVERT, *args])
    with pytest.raises(SystemExit) as exc:
        tool.main()
    assert isinstance(exc.value.code, str), exc.value.code
    return exc.value.code


def test_convert_errors(teacher_ckpt, tmp_path, monkeypatch):
    missing = str(tmp_path / 'nope.pth')
    error = _convert_error(monkeypatch, missing, str(tmp_path / 'out.pth'))
    assert 'distillation checkpoint not found' in error
    assert missing in error

    # A plain recognizer checkpoint has no student.
    error = _convert_error(monkeypatch, teacher_ckpt,
                           str(tmp_path / 'out.pth'))
    assert 'has no "student." keys' in error
    assert teacher_ckpt in error
    assert not osp.exists(tmp_path / 'out.pth')
