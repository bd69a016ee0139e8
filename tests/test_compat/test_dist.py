import os
from unittest import mock

import pytest
import torch
from helpers import free_port
from mmengine.dist import utils as dist_utils
from slurm_stubs import write_slurm_stubs

from mmsakd.compat.dist import patch_cpu_slurm, set_slurm_env

pytestmark = pytest.mark.skipif(
    torch.cuda.is_available(), reason='the fix applies only without CUDA')


def _single_rank_env():
    return dict(
        RANK='0',
        LOCAL_RANK='0',
        WORLD_SIZE='1',
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=str(free_port()))


_INIT = ('from mmengine.dist import init_dist, get_dist_info\n'
         "init_dist('pytorch', backend='nccl')\n"
         'import torch.distributed as dist\n'
         'print(dist.get_backend(), get_dist_info())\n')


def test_init_dist_fails_without_fix(python_runner):
    result = python_runner(_INIT, env=_single_rank_env())
    assert result.returncode != 0


def test_init_dist_uses_gloo_on_cpu(python_runner):
    result = python_runner('import mmsakd\n' + _INIT, env=_single_rank_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == 'gloo (0, 1)'


_WRAP = ('import torch, torch.distributed as dist\n'
         "dist.init_process_group('gloo')\n"
         'module = torch.nn.Linear(2, 2)\n'
         'try:\n'
         '    ddp = WRAPPER(module=module, device_ids=[0])\n'
         '    out = ddp(torch.ones(1, 2))\n'
         "    print('wrapped', tuple(out.shape))\n"
         'except Exception as e:\n'
         "    print('failed', type(e).__name__)\n")


def test_mmengine_ddp_rejects_cpu_module(python_runner):
    code = ('from mmengine.model import MMDistributedDataParallel as '
            'WRAPPER\n' + _WRAP)
    result = python_runner(code, env=_single_rank_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith('failed')


def test_device_aware_ddp_wraps_cpu_module(python_runner):
    code = (
        'import mmsakd\n'
        'from mmengine.registry import MODEL_WRAPPERS\n'
        "WRAPPER = MODEL_WRAPPERS.get('DeviceAwareDistributedDataParallel')"
        '\n' + _WRAP)
    result = python_runner(code, env=_single_rank_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'wrapped (1, 2)'


_SLURM_ENV = dict(
    SLURM_PROCID='0',
    SLURM_NTASKS='1',
    SLURM_NODELIST='stub-node1',
    # Differs from the rank, to show where LOCAL_RANK comes from.
    SLURM_LOCALID='3')

_INIT_SLURM = ('import os\n'
               'from mmengine.dist import init_dist, get_dist_info\n'
               "init_dist('slurm', backend='nccl')\n"
               'import torch.distributed as dist\n'
               'print(dist.get_backend(), get_dist_info(),\n'
               "      os.environ['LOCAL_RANK'], os.environ['MASTER_ADDR'])\n")


@pytest.fixture
def slurm_env(tmp_path):
    """One Slurm task's variables and a stub ``scontrol`` on ``PATH``."""
    bin_dir = write_slurm_stubs(str(tmp_path / 'bin'), str(tmp_path))
    env = dict(
        _SLURM_ENV,
        MASTER_PORT=str(free_port()),
        PATH=bin_dir + os.pathsep + os.environ['PATH'])
    return env, str(tmp_path / 'scontrol.calls')


def test_init_dist_slurm_fails_without_fix(python_runner, slurm_env):
    env, _ = slurm_env
    result = python_runner(_INIT_SLURM, env=env)
    assert result.returncode != 0
    assert 'cuda' in result.stderr.lower()


def test_init_dist_slurm_uses_gloo_on_cpu(python_runner, slurm_env,
                                          monkeypatch):
    monkeypatch.delenv('MASTER_ADDR', raising=False)
    env, scontrol_calls = slurm_env
    result = python_runner('import mmsakd\n' + _INIT_SLURM, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == 'gloo (0, 1) 3 127.0.0.1'
    with open(scontrol_calls) as f:
        assert f.read().splitlines() == ['show hostname stub-node1']


@pytest.fixture
def slurm_task_env(slurm_env):
    """``os.environ`` of one Slurm task, restored whole afterwards."""
    env, scontrol_calls = slurm_env
    with mock.patch.dict(os.environ, env):
        for name in ('MASTER_ADDR', 'RANK', 'WORLD_SIZE', 'LOCAL_RANK'):
            os.environ.pop(name, None)
        yield scontrol_calls


def test_set_slurm_env_exports_torch_variables(slurm_task_env):
    os.environ.update(SLURM_PROCID='5', SLURM_NTASKS='8')
    assert set_slurm_env(port=29700, timeout=7) == dict(timeout=7)
    assert {
        name: os.environ[name]
        for name in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_PORT',
                     'MASTER_ADDR')
    } == dict(
        RANK='5',
        WORLD_SIZE='8',
        LOCAL_RANK='3',
        MASTER_PORT='29700',
        MASTER_ADDR='127.0.0.1')


def test_set_slurm_env_keeps_master_address_and_port(slurm_task_env):
    os.environ['MASTER_ADDR'] = '10.0.0.2'
    port = os.environ['MASTER_PORT']
    set_slurm_env()
    assert os.environ['MASTER_ADDR'] == '10.0.0.2'
    assert os.environ['MASTER_PORT'] == port
    assert not os.path.exists(slurm_task_env)


def test_set_slurm_env_names_missing_variable(slurm_task_env):
    del os.environ['SLURM_LOCALID']
    with pytest.raises(KeyError, match='missing: SLURM_LOCALID'):
        set_slurm_env()
    assert 'RANK' not in os.environ


def test_slurm_patch_is_idempotent_and_reported():
    import mmsakd
    patched = dist_utils._init_dist_slurm
    assert patch_cpu_slurm() is True
    assert dist_utils._init_dist_slurm is patched
    assert patched._mmsakd_original.__module__ == 'mmengine.dist.utils'
    assert mmsakd.COMPAT_FIXES['cpu_slurm'] is True
