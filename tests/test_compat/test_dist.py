import pytest
import torch

pytestmark = pytest.mark.skipif(
    torch.cuda.is_available(), reason='the fix applies only without CUDA')

_SINGLE_RANK_ENV = dict(
    RANK='0',
    LOCAL_RANK='0',
    WORLD_SIZE='1',
    MASTER_ADDR='127.0.0.1',
    MASTER_PORT='29611')

_INIT = ('from mmengine.dist import init_dist, get_dist_info\n'
         "init_dist('pytorch', backend='nccl')\n"
         'import torch.distributed as dist\n'
         'print(dist.get_backend(), get_dist_info())\n')


def test_init_dist_fails_without_fix(python_runner):
    result = python_runner(_INIT, env=_SINGLE_RANK_ENV)
    assert result.returncode != 0


def test_init_dist_uses_gloo_on_cpu(python_runner):
    result = python_runner('import mmsakd\n' + _INIT, env=_SINGLE_RANK_ENV)
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
    result = python_runner(code, env=_SINGLE_RANK_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith('failed')


def test_device_aware_ddp_wraps_cpu_module(python_runner):
    code = (
        'import mmsakd\n'
        'from mmengine.registry import MODEL_WRAPPERS\n'
        "WRAPPER = MODEL_WRAPPERS.get('DeviceAwareDistributedDataParallel')"
        '\n' + _WRAP)
    result = python_runner(code, env=_SINGLE_RANK_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'wrapped (1, 2)'
