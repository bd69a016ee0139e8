import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest
from helpers import REPO_ROOT

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'benchmark_epoch.py')
TINY_ARGS = [
    '--config', 'configs/synthetic/kd_slowfast_tiny_synthetic.py', '--device',
    'cpu', '--num-clips', '24', '--pool', '4', '--clip-len', '8', '--size',
    '32', '--train-batch', '8', '--score-batch', '12', '--num-classes', '10'
]


def _run(*args):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, '-W', 'ignore', TOOL, *args],
                          capture_output=True,
                          text=True,
                          cwd=REPO_ROOT,
                          env=env,
                          timeout=300)


@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp('bench') / 'sub' / 'b.json'
    result = _run(*TINY_ARGS, '--out', str(out))
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    with open(out) as f:
        return json.load(f), result.stdout


def test_json_times_are_consistent(bench):
    results, _ = bench
    for key in ('vanilla_epoch_s', 'sakd_score_s', 'sakd_select_s',
                'sakd_train_s', 'sakd_epoch_s'):
        assert results[key] > 0, key
    assert results['sakd_epoch_s'] == pytest.approx(
        results['sakd_score_s'] + results['sakd_select_s'] +
        results['sakd_train_s'],
        rel=1e-9)
    assert results['sakd_vs_vanilla'] == pytest.approx(
        results['sakd_epoch_s'] / results['vanilla_epoch_s'], rel=1e-9)
    assert results['sakd_i5_vs_vanilla'] == pytest.approx(
        (results['sakd_score_s'] + results['sakd_select_s']) / 5 /
        results['vanilla_epoch_s'] +
        results['sakd_train_s'] / results['vanilla_epoch_s'],
        rel=1e-9)


def test_json_plus_phases(bench):
    results, stdout = bench
    for key in ('kd_cache_epoch_s', 'plus_round_s', 'plus_train_s'):
        assert results[key] > 0, key
    assert results['plus_epoch_s'] == pytest.approx(
        results['plus_round_s'] + results['plus_train_s'], rel=1e-9)
    vanilla = results['vanilla_epoch_s']
    for name, key in (('kd_cache_vs_vanilla', 'kd_cache_epoch_s'),
                      ('plus_round_vs_vanilla',
                       'plus_round_s'), ('plus_vs_vanilla', 'plus_epoch_s')):
        assert results[name] == pytest.approx(results[key] / vanilla, rel=1e-9)
    # k = ceil(0.3 * 24) = 8 clips trained.
    assert results['plus_subset_size'] == 8
    assert '| SAKD+ training (8 clips, cache) |' in stdout
    assert '| vanilla KD epoch, teacher cache |' in stdout


def test_json_run_description(bench):
    from mmsakd.selection import interruption_rate
    results, _ = bench
    assert results['num_clips'] == 24
    assert results['ratio'] == 0.1
    assert results['subset_size'] == math.ceil(
        results['ratio'] * results['num_clips']) == 3
    assert results['clip'] == '8x32x32'
    assert (results['train_batch'], results['score_batch']) == (8, 12)
    assert results['amp'] is False
    assert results['peak_memory_gib'] is None  # CPU
    assert results[
        'config'] == 'configs/synthetic/kd_slowfast_tiny_synthetic.py'
    # Default --epoch 10 of --max-epochs 50.
    assert results['interruption_rate'] == pytest.approx(
        float(interruption_rate(10, 50)))
    assert results['eta'] == 0.5


def test_stdout_table(bench):
    results, stdout = bench
    assert '| vanilla KD epoch |' in stdout
    assert f'| SAKD training ({results["subset_size"]} clips) |' in stdout
    assert f'| SAKD epoch (interval 1) | {results["sakd_epoch_s"]:.2f} |' \
        in stdout
    assert 'wrote ' in stdout


def test_bad_ratio_is_rejected():
    result = _run(*TINY_ARGS, '--ratio', '0')
    assert result.returncode != 0
    assert '--ratio must be in (0, 1], got 0.0' in result.stderr
    result = _run(*TINY_ARGS, '--eta', '1.5')
    assert result.returncode != 0
    assert '--eta must be in (0, 1], got 1.5' in result.stderr
    result = _run(*TINY_ARGS, '--pool-factor', '0')
    assert result.returncode != 0
    assert '--pool-factor must be > 0, got 0.0' in result.stderr
