"""tools/analysis/full_size_check.sh on the tiny pair (TINY=1, CPU)."""
import glob
import json
import math
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
from helpers import REPO_ROOT, free_port

SCRIPT = osp.join(REPO_ROOT, 'tools', 'analysis', 'full_size_check.sh')
# Run on one pytest-xdist worker: the tests share one run of the script.
pytestmark = pytest.mark.xdist_group('full_size_check')


@pytest.fixture(scope='module')
def check(tmp_path_factory):
    out = tmp_path_factory.mktemp('full_size') / 'out'
    env = dict(
        os.environ,
        TINY='1',
        PYTHON=sys.executable,
        PORT=str(free_port()),
        OMP_NUM_THREADS='1',
        PYTHONWARNINGS='ignore')
    result = subprocess.run(['bash', SCRIPT, str(out)],
                            capture_output=True,
                            text=True,
                            env=env,
                            timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    return out


def test_epoch_benchmark_in_memory_and_from_files(check):
    with open(check / 'epoch_memory_fp32.json') as f:
        memory = json.load(f)
    with open(check / 'epoch_loading_fp32.json') as f:
        loading = json.load(f)
    assert not memory['data_loading'] and memory['num_workers'] is None
    assert loading['data_loading'] and loading['num_workers'] == 0
    # The files hold what the tiny training pipeline samples: 16 frames of
    # 32x32, generated for the 32 clips.
    assert loading['clip'] == memory['clip'] == '16x32x32'
    assert loading['num_clips'] == 32
    with open(check / 'data' / 'train.txt') as f:
        assert len(f.readlines()) == 32
    for results in (memory, loading):
        assert results['subset_size'] == math.ceil(0.1 * 32)
        assert results['plus_subset_size'] == math.ceil(0.3 * 32)
        assert results['vanilla_epoch_s'] > 0 and results['plus_epoch_s'] > 0


def test_runner_run_has_one_round_and_the_planned_steps(check):
    runner = check / 'runner'
    with open(runner / 'sakd_rounds.jsonl') as f:
        rounds = [json.loads(line) for line in f]
    # One round, after the full-data epoch: k = ceil(0.3 * 32) = 10 clips,
    # all scored (no clip has features to reuse yet).
    assert [(r['epoch'], r['subset_size'], r['scored'], r['reused'])
            for r in rounds] == [(1, 10, 10, 0)]
    log = glob.glob(str(runner / '*' / '*.log'))[0]
    with open(log) as f:
        text = f.read()
    assert 'Distributed training: True' in text
    # Batch 16: 2 iterations on the 32 clips, then 1 on the subset of 10.
    assert re.search(r'Epoch\(train\) +\[1\]\[2/2\]', text)
    assert re.search(r'Epoch\(train\) +\[2\]\[1/1\]', text)
    assert osp.isfile(runner / 'epoch_2.pth')


def test_multigrid_epochs_and_runner_run(check):
    for name in ('memory', 'loading'):
        with open(check / f'epoch_{name}_fp32.json') as f:
            results = json.load(f)
        # One epoch per long-cycle shape, then their mean.
        assert len(results['multigrid_epochs_s']) == 4
        assert results['multigrid_epoch_s'] == pytest.approx(
            sum(results['multigrid_epochs_s']) / 4)
        assert len(results['multigrid_store_epochs_s']) == 4
        assert results['multigrid_store_vs_vanilla'] == pytest.approx(
            results['multigrid_store_epoch_s'] / results['vanilla_epoch_s'])
    log = glob.glob(str(check / 'runner_multigrid' / '*' / '*.log'))[0]
    with open(log) as f:
        text = f.read()
    # Epoch 0 at t=0.25, s=0.707 of the base batch 16: the 32 clips in one
    # batch per short-cycle code; epoch 1 at the base shape, 2 batches.
    assert 'MultigridHook: epoch 0: t=0.25: s=0.354 batch 512, s=0.5 ' \
        'batch 256, s=0.707 batch 128, 3 iterations' in text
    assert 'MultigridHook: epoch 1: t=1: s=1 batch 16, 2 iterations' in text
    # The tiny config's square-root rule: sqrt(8).
    assert re.search(
        r'Epoch\(train\) +\[1\]\[3/3\].*multigrid_lr_factor: '
        r'2\.8284', text)
    assert re.search(
        r'Epoch\(train\) +\[2\]\[2/2\].*multigrid_lr_factor: '
        r'1\.0000', text)
    assert osp.isfile(check / 'runner_multigrid' / 'epoch_2.pth')
