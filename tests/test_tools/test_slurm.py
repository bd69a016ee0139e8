"""tools/slurm_train.sh and tools/slurm_test.sh on 2 CPU processes, under a
faked Slurm: stub ``srun``/``scontrol`` (tests/slurm_stubs.py) that start the
tasks with the ``SLURM_*`` variables srun sets."""
import os
import os.path as osp
import subprocess
import sys

import pytest
from helpers import (REPO_ROOT, as_cli_options, free_port,
                     make_teacher_checkpoint, tiny_cfg_options)
from slurm_stubs import write_slurm_stubs

from mmsakd.compat.dist import has_accelerator

pytestmark = pytest.mark.skipif(
    has_accelerator(), reason='the stub srun starts CPU processes')

KD_CFG = 'configs/synthetic/kd_slowfast_tiny_synthetic.py'


def _run_script(script, args, bin_dir, log_dir):
    env = dict(os.environ)
    # MASTER_ADDR must come from `scontrol show hostname`.
    env.pop('MASTER_ADDR', None)
    env.update(
        PATH=bin_dir + os.pathsep + env['PATH'],
        GPUS='2',
        CPUS_PER_TASK='1',
        SRUN_ARGS='--quotatype=auto --exclusive',
        PYTHON=sys.executable,
        MASTER_PORT=str(free_port()),
        OMP_NUM_THREADS='1',
        PYTHONWARNINGS='ignore')
    result = subprocess.run(['bash',
                             osp.join(REPO_ROOT, script), *args],
                            capture_output=True,
                            text=True,
                            cwd=REPO_ROOT,
                            env=env,
                            timeout=300)
    logs = [
        open(osp.join(log_dir, f'task{rank}.log')).read() for rank in (0, 1)
    ]
    assert result.returncode == 0, result.stderr[-2000:] + '\n'.join(
        log[-3000:] for log in logs)
    with open(osp.join(log_dir, 'srun.args')) as f:
        srun_args = f.read().splitlines()
    with open(osp.join(log_dir, 'scontrol.calls')) as f:
        scontrol_calls = f.read().splitlines()
    return srun_args, scontrol_calls, logs


def _assert_world_of_two(log):
    # Rank 0 logs the runtime environment after the process group of both
    # ranks is up (gloo's rendezvous waits for every rank).
    assert 'Distributed launcher: slurm' in log
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log


def test_slurm_train_and_test_on_two_cpu_tasks(tiny_data_root, tmp_path):
    bin_dir = write_slurm_stubs(str(tmp_path / 'bin'), str(tmp_path / 'log'))
    options = tiny_cfg_options(tiny_data_root, max_epochs=1)
    options['model.teacher_ckpt'] = make_teacher_checkpoint(
        str(tmp_path / 'teacher.pth'))
    work_dir = str(tmp_path / 'work')

    train_log = str(tmp_path / 'log')
    srun_args, scontrol_calls, logs = _run_script('tools/slurm_train.sh', [
        'cpu_partition', 'kd_job', KD_CFG, work_dir, '--seed', '0',
        *as_cli_options(options)
    ], bin_dir, train_log)
    # srun got MMAction2's options, SRUN_ARGS split into words, then the
    # command.
    command = srun_args.index(sys.executable)
    assert srun_args[:command] == [
        '-p', 'cpu_partition', '--job-name=kd_job', '--gres=gpu:2',
        '--ntasks=2', '--ntasks-per-node=2', '--cpus-per-task=1',
        '--kill-on-bad-exit=1', '--quotatype=auto', '--exclusive'
    ]
    assert srun_args[command + 1:command + 6] == [
        '-u',
        osp.join(REPO_ROOT, 'tools/train.py'), KD_CFG, '--launcher', 'slurm'
    ]
    assert srun_args[command + 6:command + 8] == ['--work-dir', work_dir]
    # Each rank asked scontrol for the master node.
    assert scontrol_calls == ['show hostname stub-node1'] * 2
    _assert_world_of_two(logs[0])
    # 24 training clips in batches of 4 over 2 ranks: 3 iterations per rank
    # (6 on one process).
    assert 'Epoch(train) [1][3/3]' in logs[0]
    assert 'Epoch(train) [1][4/' not in logs[0]
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))

    test_log = str(tmp_path / 'test_log')
    write_slurm_stubs(bin_dir, test_log)
    srun_args, _, logs = _run_script('tools/slurm_test.sh', [
        'cpu_partition', 'kd_test', KD_CFG,
        osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
        str(tmp_path / 'test'), *as_cli_options(options)
    ], bin_dir, test_log)
    command = srun_args.index(sys.executable)
    assert srun_args[command + 1:command + 7] == [
        '-u',
        osp.join(REPO_ROOT, 'tools/test.py'), KD_CFG,
        osp.join(work_dir, 'epoch_1.pth'), '--launcher', 'slurm'
    ]
    _assert_world_of_two(logs[0])
    # 10 test clips over 2 ranks in batches of 4: 2 iterations per rank.
    assert 'Epoch(test) [2/2]' in logs[0]
    assert 'acc/top1' in logs[0]


@pytest.mark.parametrize('script, arguments',
                         [('tools/slurm_train.sh', 'PARTITION JOB_NAME CONFIG '
                           '[WORK_DIR] [train.py options]'),
                          ('tools/slurm_test.sh', 'PARTITION JOB_NAME CONFIG '
                           'CHECKPOINT [test.py options]')])
def test_slurm_scripts_name_missing_arguments(script, arguments):
    result = subprocess.run(['bash', osp.join(REPO_ROOT, script), 'p'],
                            capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert result.stderr.startswith('Usage: ')
    assert result.stderr.rstrip().endswith(arguments)


def test_slurm_scripts_are_executable():
    for script in ('tools/slurm_train.sh', 'tools/slurm_test.sh'):
        assert os.access(osp.join(REPO_ROOT, script), os.X_OK), script
