"""tools/analysis/benchmark_sakd.py: a 2-epoch smoke run of the scratch
regime with every run (the transfer regime runs in test_demo.py), reuse of
finished runs and pretrained checkpoints, settings changes. The runs'
configs are tested in tests/test_benchmark/test_runs.py."""
import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest
from helpers import REPO_ROOT

from mmsakd.apis.sakd_benchmark import RUNS

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'benchmark_sakd.py')
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
# Run on one pytest-xdist worker: the tests share one run of the benchmark.
pytestmark = pytest.mark.xdist_group('benchmark_sakd')


def _bench(work_dir, *extra):
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', '1')
    result = subprocess.run([
        sys.executable, '-W', 'ignore', TOOL, '--regime', 'scratch', '--quick',
        '--seeds', '0', '--work-dir',
        str(work_dir), *extra
    ],
                            capture_output=True,
                            text=True,
                            cwd=REPO_ROOT,
                            timeout=900,
                            env=env)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return log


@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('bench')
    log = _bench(work_dir)
    with open(osp.join(work_dir, 'results.json')) as f:
        results = json.load(f)
    with open(osp.join(work_dir, 'results.md')) as f:
        markdown = f.read()
    return dict(
        work_dir=str(work_dir), log=log, results=results, markdown=markdown)


def test_every_run_trained_with_curves(bench):
    records = {r['run']: r for r in bench['results']['records']}
    assert list(records) == list(RUNS)
    for run, record in records.items():
        assert record['seed'] == 0 and record['epochs'] == 2
        assert [p['epoch'] for p in record['curve']] == [1, 2]
        assert 0 <= record['top1'] <= record['top5'] <= 100
        assert 0 <= record['data_time'] <= record['train_time']
        assert osp.isfile(
            osp.join(bench['work_dir'], 'runs', run, 'seed0',
                     'fingerprint.txt'))
    # 24 clips, batches of 4: 6 iterations an epoch on every clip; r = 0.1
    # selects ceil(2.4) = 3 clips, one iteration.
    k = math.ceil(0.1 * 24)
    assert records['kd']['iters'] == records['ce']['iters'] == 12
    for run in ('sakd_i1', 'sakd_i5', 'sakd_random_i1', 'sakd_random_i5'):
        assert records[run]['subset_size'] == k
        assert records[run]['iters'] == 2
        assert records[run]['score_time'] > 0
    assert records['sakd_i1']['rounds'] == 2
    assert records['sakd_i5']['rounds'] == 1
    assert records['random_kd_i1']['iters'] == 2
    assert 'score_time' not in records['random_kd_i1']
    # InfoBatch-style: every clip in the first epoch (none seen yet).
    assert 6 < records['infobatch']['iters'] <= 12


def test_summary_table_and_plot(bench):
    summary = bench['results']['summary']
    assert summary['baseline'] == 'kd'
    rows = {r['run']: r for r in summary['rows']}
    assert rows['kd']['rel_time'] == [1.0, 0.0]
    for run, row in rows.items():
        record = next(r for r in bench['results']['records']
                      if r['run'] == run)
        assert row['top1'][0] == pytest.approx(record['top1'])
        line = next(line for line in bench['markdown'].splitlines()
                    if line.startswith(f'| {RUNS[run].label} |'))
        assert f'{record["top1"]:.1f} ± 0.0' in line
    assert '## Calibration' in bench['markdown']
    calib = bench['results']['calibration']
    assert calib['chance'] == 10.
    assert calib['teacher_top1'] == bench['results']['settings']['pretrained'][
        0]['top1']
    with open(osp.join(bench['work_dir'], 'accuracy_vs_time.png'), 'rb') as f:
        assert f.read(8) == PNG_SIGNATURE


def test_teacher_checkpoint_cached_by_key(bench):
    (info, ) = bench['results']['settings']['pretrained']
    assert info['name'] == 'scratch_teacher'
    assert osp.basename(info['checkpoint']) == \
        f'scratch_teacher-{info["key"]}.pth'
    assert osp.isfile(info['checkpoint'])
    kd = next(r for r in bench['results']['records'] if r['run'] == 'kd')
    with open(osp.join(kd['work_dir'], 'fingerprint.txt')) as f:
        assert f.read().strip() == kd['fingerprint']


def test_rerun_reuses_and_changed_settings_retrain(bench):
    log = _bench(bench['work_dir'])
    assert 'Epoch(train)' not in log  # nothing trains again
    assert 'scratch_teacher: cached' in log
    with open(osp.join(bench['work_dir'], 'results.json')) as f:
        again = json.load(f)
    assert [(r['run'], r['top1'], r['train_time']) for r in again['records']
            ] == [(r['run'], r['top1'], r['train_time'])
                  for r in bench['results']['records']]
    # Other epochs: the old ce run is discarded and trained afresh, the
    # teacher is reused.
    log = _bench(bench['work_dir'], '--epochs', '1', '--runs', 'ce')
    assert 'settings changed, discarding' in log
    assert 'scratch_teacher: cached' in log
    with open(osp.join(bench['work_dir'], 'results.json')) as f:
        (record, ) = json.load(f)['records']
    assert record['run'] == 'ce' and record['epochs'] == 1


@pytest.mark.parametrize('argv, message', [
    (['--regime', 'scratch', '--runs', 'kd,bogus'], 'bogus'),
    (['--regime', 'scratch', '--seeds', 'a'], '--seeds'),
    (['--regime', 'scratch', '--epochs', '0'], '--epochs'),
    (['--regime', 'other'], '--regime'),
])
def test_bad_arguments_are_usage_errors(argv, message):
    result = subprocess.run([sys.executable, TOOL, *argv],
                            capture_output=True,
                            text=True,
                            cwd=REPO_ROOT,
                            timeout=120)
    assert result.returncode == 2
    assert message in result.stderr
