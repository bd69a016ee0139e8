"""Resumed state ends on the CPU, whatever device the checkpoint was loaded
to: ``Runner.resume`` asks for the current device, a GPU on a GPU run."""
import copy
import os
import os.path as osp
import random
import subprocess
import sys
from types import SimpleNamespace
from unittest import mock

import numpy as np
import pytest
import torch
from helpers import (REPO_ROOT, as_cli_options, make_teacher_checkpoint,
                     tiny_cfg_options)
from mmengine.testing import RunnerTestCase
from torch.utils._pytree import tree_flatten, tree_map

from mmsakd.engine.hooks import (BrokenClipsHook, InfoBatchHook,
                                 RandomStateHook, RandomSubsetHook, SAKDHook,
                                 TrainTimeHook)
from mmsakd.engine.sakd import SAKDState
from mmsakd.models.utils.teacher_cache import (TeacherOutputCache,
                                               load_cache_state)

RESUMED = SimpleNamespace(_resume=True)
# Ops that leave nothing on the device: a copy to the CPU, views, the
# read of a scalar.
HARMLESS = {'to_cpu', 'detach', 'alias', '_local_scalar_dense'}


class OnGPU(torch.Tensor):
    """Stands in for a CUDA tensor on a machine without CUDA.

    It reports device ``cuda:0`` (so torch refuses it as an RNG state, as it
    refuses a real CUDA tensor) and keeps its values on the CPU. Every op
    applied to it is logged in ``OnGPU.ops``: a copy to the CPU as
    ``'to_cpu'`` (it returns a plain CPU tensor), any other op by its name
    (it returns an ``OnGPU``, as its result would stay on the GPU).
    """

    ops = []
    __torch_function__ = torch._C._disabled_torch_function_impl

    @staticmethod
    def __new__(cls, values):
        tensor = torch.Tensor._make_wrapper_subclass(
            cls,
            values.shape,
            strides=values.stride(),
            dtype=values.dtype,
            device='cuda:0')
        tensor.values = values
        return tensor

    def __repr__(self):
        return f'OnGPU({self.values!r})'

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        args, kwargs = tree_map(
            lambda x: x.values if isinstance(x, OnGPU) else x, (args, kwargs))
        device = kwargs.get('device')
        if func is torch.ops.aten._to_copy.default and device is not None \
                and torch.device(device).type == 'cpu':
            cls.ops.append('to_cpu')
            return func(*args, **kwargs)
        cls.ops.append(func.overloadpacket.__name__)
        kwargs.pop('device', None)
        return tree_map(
            lambda x: OnGPU(x) if isinstance(x, torch.Tensor) else x,
            func(*args, **kwargs))


def on_gpu(obj):
    """``obj`` with every tensor replaced by an :class:`OnGPU`."""
    return tree_map(
        lambda x: OnGPU(x.clone()) if isinstance(x, torch.Tensor) else x, obj)


def assert_cpu_equal(actual, expected):
    """``actual`` holds plain CPU tensors and equals ``expected``."""
    if isinstance(expected, torch.Tensor):
        assert type(actual) is torch.Tensor and actual.device.type == 'cpu'
        assert actual.dtype == expected.dtype
        assert torch.equal(actual, expected)
    elif isinstance(expected, dict):
        assert actual.keys() == expected.keys()
        for key in expected:
            assert_cpu_equal(actual[key], expected[key])
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected)
        for a, b in zip(actual, expected):
            assert_cpu_equal(a, b)
    else:
        assert not isinstance(actual, torch.Tensor)
        assert actual == expected


@pytest.fixture
def ops():
    """The ops applied to stand-in GPU tensors during a test."""
    OnGPU.ops = []
    yield OnGPU.ops
    OnGPU.ops = []


def _draw():
    return (random.random(), float(np.random.rand()), float(torch.rand(1)))


def test_stand_in_is_refused_like_a_cuda_rng_state():
    with pytest.raises(
            TypeError, match='RNG state must be a torch.ByteTensor'):
        torch.set_rng_state(OnGPU(torch.get_rng_state()))


def test_random_state_hook_restores_gpu_states(ops, monkeypatch):
    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    checkpoint = {}
    RandomStateHook().before_save_checkpoint(None, checkpoint)
    expected = _draw()
    # What a CUDA generator stores: seed and offset bytes.
    cuda_state = torch.arange(16, dtype=torch.uint8)
    checkpoint['random_state']['cuda'] = [cuda_state]
    restored_cuda = []
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 1)
    monkeypatch.setattr(torch.cuda, 'set_rng_state_all', restored_cuda.extend)

    random.seed(2), np.random.seed(2), torch.manual_seed(2)
    RandomStateHook().after_load_checkpoint(RESUMED, on_gpu(checkpoint))
    assert _draw() == expected
    assert_cpu_equal(restored_cuda, [cuda_state])
    assert ops == ['to_cpu', 'to_cpu']


@pytest.mark.parametrize('main', [True, False])
def test_sakd_hook_restores_gpu_state(main, ops, monkeypatch):
    monkeypatch.setattr('mmsakd.engine.sakd.state.is_main_process',
                        lambda: main)
    num = 10
    hook = SAKDHook()
    state = hook.state = SAKDState(num)
    state.omega, state.alpha = torch.rand(num), torch.rand(num)
    state.feat = torch.randn(num, 3)
    state.subset, state.rounds, state.seed = [1, 4, 7], 2, 5
    state.last_scored = torch.arange(num) - 1
    state.has_feat = torch.arange(num) % 2 == 0
    state.train_loss = torch.rand(num)
    state.trained_since_round = torch.arange(num) > 5
    checkpoint = {}
    hook.before_save_checkpoint(None, checkpoint)
    expected = copy.deepcopy(checkpoint['sakd'])

    fresh = SAKDHook()
    fresh.after_load_checkpoint(RESUMED, on_gpu(checkpoint))
    names = ['omega', 'alpha', 'last_scored', 'known', 'train_loss', 'trained']
    restored = fresh.state.state_dict()
    for name in names + ['subset', 'rounds', 'seed']:
        assert_cpu_equal(restored[name], expected[name])
    # Only rank 0 keeps (and copies) the fused features.
    if main:
        assert_cpu_equal(fresh.state.feat, expected['feat'])
    else:
        assert fresh.state.feat is None
    assert set(ops) <= HARMLESS
    assert ops.count('to_cpu') == len(names) + main


def test_infobatch_hook_restores_gpu_state(ops):
    hook = InfoBatchHook()
    hook.scores, hook.seen = torch.rand(8), torch.arange(8) % 3 == 0
    hook.subset, hook.weights, hook.seed = [0, 2, 5], torch.rand(3), 4
    checkpoint = {}
    hook.before_save_checkpoint(None, checkpoint)
    expected = copy.deepcopy(checkpoint['infobatch'])

    fresh = InfoBatchHook()
    fresh.after_load_checkpoint(RESUMED, on_gpu(checkpoint))
    for name, value in expected.items():
        assert_cpu_equal(getattr(fresh, name), value)
    assert set(ops) <= HARMLESS
    assert ops.count('to_cpu') == 3


@pytest.mark.parametrize('make, attributes', [
    (lambda: RandomSubsetHook(ratio=0.5),
     dict(subset=[3, 1, 2], seed=6, rounds=2)),
    (TrainTimeHook, dict(epoch_times=[1.5, 2.], epoch_data_times=[.25, .5])),
    (BrokenClipsHook, dict()),
])
def test_hooks_save_no_tensors(make, attributes):
    """These hooks keep Python numbers, lists and strings, which no
    map_location moves: what they save holds no tensor, and reads back."""
    skipped = {2: 'a.mp4: truncated', 5: 'b.mp4: missing'}
    runner = SimpleNamespace(
        _resume=True,
        train_dataloader=SimpleNamespace(
            dataset=SimpleNamespace(skipped=dict(skipped))))
    hook = make()
    for name, value in attributes.items():
        setattr(hook, name, value)
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    leaves = tree_flatten(checkpoint)[0]
    assert leaves and not any(isinstance(x, torch.Tensor) for x in leaves)

    runner.train_dataloader.dataset.skipped = {}
    fresh = make()
    fresh.after_load_checkpoint(runner, checkpoint)
    for name, value in attributes.items():
        assert getattr(fresh, name) == value
    if isinstance(fresh, BrokenClipsHook):
        assert runner.train_dataloader.dataset.skipped == skipped


def test_teacher_cache_loads_gpu_state(ops):
    cache = TeacherOutputCache()
    cache.store(torch.tensor([0, 3]), torch.randn(2, 5))
    prefix = 'student_prefix.'
    state = {
        prefix + 'teacher_cache.' + key: value
        for key, value in cache.state_dict().items()
    }
    expected = copy.deepcopy(cache.state_dict())

    module = SimpleNamespace(teacher_cache=TeacherOutputCache())
    given = on_gpu(state)
    load_cache_state(module, given, prefix, {}, True, [], [], [])
    assert given == {}
    assert_cpu_equal(module.teacher_cache.state_dict(), expected)
    assert set(ops) <= HARMLESS
    assert ops.count('to_cpu') == 2

    # A CPU state is copied: the cache does not share the caller's memory.
    logits = expected['logits'].clone()
    module.teacher_cache.load_state_dict(
        dict(logits=logits, valid=expected['valid']))
    logits.zero_()
    assert torch.equal(module.teacher_cache.state_dict()['logits'],
                       expected['logits'])


class TestResumeMapsToCPU(RunnerTestCase):
    """A resume whose ``map_location`` is a device other than the CPU (as
    on a GPU run) restores the run. ``meta`` stands in for the GPU: a
    checkpoint mapped there holds no data, and its random state is refused
    as a CUDA one is."""

    def _cfg(self, max_epochs):
        cfg = copy.deepcopy(self.epoch_based_cfg)
        cfg.default_scope = 'mmsakd'
        cfg.train_cfg.max_epochs = max_epochs
        cfg.optim_wrapper.optimizer.momentum = 0.9
        cfg.custom_hooks = [
            dict(type='RandomStateHook'),
            dict(type='TrainTimeHook')
        ]
        return cfg

    def test_resume_with_device_map_location(self):
        self.build_runner(self._cfg(max_epochs=1)).train()
        cfg = self._cfg(max_epochs=2)
        cfg.resume = True
        runner = self.build_runner(cfg)
        with mock.patch('mmengine.runner.runner.get_device', lambda: 'meta'):
            runner.train()
        assert runner.epoch == 2
        hook = next(h for h in runner.hooks if isinstance(h, TrainTimeHook))
        assert len(hook.epoch_times) == 2
        optimizer = runner.optim_wrapper.optimizer
        assert len(optimizer.state) == 4
        for param, state in optimizer.state.items():
            assert state['momentum_buffer'].device == param.device


@pytest.mark.skipif(
    not torch.cuda.is_available(), reason='resume on a GPU needs CUDA')
def test_sakd_resume_on_cuda(tiny_data_root, tmp_path):
    """Train the tiny SAKD config (teacher cache on) 1 of 2 epochs on the
    GPU, then resume it there."""
    teacher = make_teacher_checkpoint(str(tmp_path / 'teacher.pth'))
    options = tiny_cfg_options(tiny_data_root, max_epochs=2)
    options.update({
        'model.teacher_ckpt': teacher,
        'model.teacher_cache': True,
        'default_hooks.sakd.score_batch_size': 8,
        'default_hooks.sakd.ratio': 0.25,
    })
    config = osp.join(REPO_ROOT,
                      'configs/synthetic/sakd_slowfast_tiny_synthetic.py')
    stop_cfg = tmp_path / 'stop_after_1.py'
    stop_cfg.write_text(
        f"_base_ = ['{config}']\n"
        "custom_imports = dict(imports=['mmsakd', 'stop_hook'])\n"
        "custom_hooks = [dict(type='StopAfterEpochHook', stop_epoch=1)]\n")
    # tests/ holds stop_hook.py.
    env = dict(
        os.environ,
        PYTHONPATH=osp.join(REPO_ROOT, 'tests') + os.pathsep +
        os.environ.get('PYTHONPATH', ''))

    def train(cfg, *extra):
        cmd = [
            sys.executable, '-W', 'ignore',
            osp.join(REPO_ROOT, 'tools/train.py'), cfg, '--work-dir',
            str(tmp_path / 'run'), *extra, *as_cli_options(options)
        ]
        result = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env=env,
            timeout=600)
        log = result.stdout + result.stderr
        assert result.returncode == 0, log[-4000:]
        return log

    train(str(stop_cfg))
    assert not osp.exists(tmp_path / 'run' / 'epoch_2.pth')
    log = train(config, '--resume')
    assert 'resumed epoch: 1' in log
    ckpt = torch.load(
        tmp_path / 'run' / 'epoch_2.pth',
        map_location='cpu',
        weights_only=False)
    assert ckpt['meta']['epoch'] == 2
    assert ckpt['sakd']['rounds'] == 2
    assert any(key.startswith('teacher_cache.') for key in ckpt['state_dict'])
