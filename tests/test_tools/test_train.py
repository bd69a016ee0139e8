import os
import os.path as osp
import subprocess
import sys
from types import SimpleNamespace

import pytest
import torch
from helpers import (REPO_ROOT, as_cli_options, free_port, tiny_cfg_options,
                     train_in_process)

STUDENT_CFG = 'configs/synthetic/slowfast_tiny_student_synthetic.py'


def _train(work_dir, options, *extra, config=STUDENT_CFG):
    cmd = [
        sys.executable, '-W', 'ignore',
        osp.join(REPO_ROOT, 'tools/train.py'), config, '--work-dir',
        str(work_dir), *extra, *as_cli_options(options)
    ]
    result = subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:])
    return result


def _weights(path):
    ckpt = torch.load(path, map_location='cpu', weights_only=False)
    return ckpt['state_dict'], ckpt


@pytest.fixture(scope='module')
def runs(tiny_data_root, tmp_path_factory):
    """A 2-epoch run (the reference, trained in this process), and the same
    run through the script stopped after epoch 1 (the checkpoints it left)
    and resumed (its output); both share a 2-epoch cosine schedule (read
    only)."""
    root = tmp_path_factory.mktemp('runs')
    options = tiny_cfg_options(tiny_data_root, max_epochs=2)
    straight = root / 'straight'
    train_in_process(STUDENT_CFG, straight, options, '--seed', '3')
    interrupted = root / 'interrupted'
    _train(interrupted, {**options, 'train_cfg.max_epochs': 1}, '--seed', '3')
    stopped = sorted(path.name for path in interrupted.glob('epoch_*.pth'))
    result = _train(interrupted, options, '--seed', '3', '--resume')
    return SimpleNamespace(
        options=options,
        straight=straight,
        interrupted=interrupted,
        stopped=stopped,
        resume_log=result.stdout + result.stderr)


# Run on one pytest-xdist worker: the tests share the runs.
@pytest.mark.xdist_group('train_tool_runs')
def test_train_save_and_resume_matches_uninterrupted(runs):
    straight, interrupted = runs.straight, runs.interrupted
    assert runs.stopped == ['epoch_1.pth']
    assert 'resumed epoch: 1' in runs.resume_log

    expected, expected_ckpt = _weights(straight / 'epoch_2.pth')
    resumed, resumed_ckpt = _weights(interrupted / 'epoch_2.pth')
    assert resumed_ckpt['meta']['epoch'] == 2
    assert expected.keys() == resumed.keys()
    for key in expected:
        torch.testing.assert_close(
            resumed[key], expected[key], rtol=0, atol=1e-6, msg=key)
    # The first epoch changed the weights, so equality is not trivial.
    first, _ = _weights(interrupted / 'epoch_1.pth')
    assert any(not torch.equal(first[k], expected[k]) for k in expected
               if expected[k].is_floating_point())


@pytest.mark.xdist_group('train_tool_runs')
def test_test_tool_reports_accuracy(runs, tmp_path):
    cmd = [
        sys.executable, '-W', 'ignore',
        osp.join(REPO_ROOT, 'tools/test.py'), STUDENT_CFG,
        str(runs.straight / 'epoch_2.pth'), '--work-dir',
        str(tmp_path / 'test'), *as_cli_options(runs.options)
    ]
    result = subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'acc/top1' in result.stdout + result.stderr


def test_test_tool_names_missing_checkpoint(tmp_path):
    cmd = [
        sys.executable, '-W', 'ignore',
        osp.join(REPO_ROOT, 'tools/test.py'), STUDENT_CFG,
        str(tmp_path / 'nope.pth')
    ]
    result = subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)
    assert result.returncode != 0
    assert 'checkpoint not found' in result.stderr
    assert 'nope.pth' in result.stderr


def test_torchrun_module_two_processes_on_cpu(tiny_data_root, tmp_path):
    # The distributed launch of an installed package (docs/get_started.md):
    # torchrun from the environment, mmsakd's module, from another directory.
    # tools/dist_train.sh is run by the SAKD hook's 2-process test.
    options = tiny_cfg_options(tiny_data_root, max_epochs=1, batch_size=3)
    torchrun = osp.join(osp.dirname(sys.executable), 'torchrun')
    cmd = [
        torchrun, '--nproc_per_node=2', f'--master_port={free_port()}', '-m',
        'mmsakd.tools.train',
        osp.join(REPO_ROOT,
                 STUDENT_CFG), '--launcher', 'pytorch', '--work-dir',
        str(tmp_path / 'work'), *as_cli_options(options)
    ]
    result = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
        env=dict(os.environ, PYTHONWARNINGS='ignore'),
        timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert 'Distributed launcher: pytorch' in log
    assert 'Distributed training: True' in log
    # mmengine's name for the world size.
    assert 'GPU number: 2' in log
    assert 'using the gloo backend instead of nccl' in log
    assert osp.isfile(tmp_path / 'work' / 'epoch_1.pth')
    # 24 clips over 2 ranks in batches of 3: 4 iterations per rank (one
    # process would run 8).
    assert 'Epoch(train) [1][4/4]' in log


def test_dist_train_names_an_interpreter_without_torch(tmp_path):
    # `python` of another environment (here: this one without its
    # site-packages) fails before any process starts, saying what to set.
    python = tmp_path / 'python'
    python.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n')
    python.chmod(0o755)
    for script, args in (('dist_train.sh', [STUDENT_CFG, '2']),
                         ('dist_test.sh', [STUDENT_CFG, 'x.pth', '2'])):
        result = subprocess.run(
            ['bash', osp.join(REPO_ROOT, 'tools', script), *args],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env=dict(os.environ, PYTHON=str(python)),
            timeout=60)
        assert result.returncode == 1, result.stderr
        assert f'PYTHON={python} cannot import torch' in result.stderr
        assert 'PYTHON=.venv/bin/python bash' in result.stderr
