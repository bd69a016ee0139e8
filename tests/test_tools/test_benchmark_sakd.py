"""tools/analysis/benchmark_sakd.py: a 2-epoch smoke run of the scratch
regime with every run (the transfer regime runs in test_demo.py), reuse of
finished runs and pretrained checkpoints, settings changes, fingerprints."""
import dataclasses
import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest
from helpers import REPO_ROOT

from mmsakd.apis.sakd_benchmark import (REGIMES, RUNS, VARIANTS, build_run_cfg,
                                        fingerprint, quick_regime, run_epochs)

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
                    if line.startswith(f'| {RUNS[run][0]} |'))
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


def test_fingerprint_follows_settings_not_places(tmp_path):
    regime = quick_regime(REGIMES['transfer'])
    prepared = dict(
        target_root='data/t',
        source_root='data/s',
        teacher=dict(checkpoint='t.pth'),
        student=dict(checkpoint='s.pth'))

    def key(regime, run='kd', work_dir='a', prepared=prepared):
        cfg = build_run_cfg(regime, run, 0, prepared, work_dir)
        return fingerprint(cfg, [regime.source, regime.target])

    base = key(regime)
    assert key(regime, work_dir='elsewhere') == base
    moved = dict(
        prepared,
        target_root='/elsewhere/data/t',
        source_root='/elsewhere/data/s',
        teacher=dict(checkpoint='/elsewhere/t.pth'))
    assert key(regime, prepared=moved) == base
    assert key(dataclasses.replace(regime, epochs=3)) != base
    assert key(dataclasses.replace(regime, lr=1e-4)) != base
    assert key(
        dataclasses.replace(
            regime, target=dataclasses.replace(regime.target, seed=5))) != base
    assert key(
        regime, prepared=dict(prepared,
                              teacher=dict(checkpoint='u.pth'))) != base
    assert key(regime, run='sakd_i1') != base


def test_student_runs_start_from_source_weights():
    regime = quick_regime(REGIMES['transfer'])
    prepared = dict(
        target_root='data/t',
        source_root='data/s',
        teacher=dict(checkpoint='t.pth'),
        student=dict(checkpoint='s.pth'))
    for run in RUNS:
        cfg = build_run_cfg(regime, run, 1, prepared, 'w')
        assert cfg.randomness.seed == 1
        assert cfg.train_cfg.max_epochs == regime.epochs
        assert cfg.optim_wrapper.optimizer.lr == regime.lr
        if run == 'ce':
            assert cfg.load_from == 's.pth'
        else:
            assert cfg.model.student_ckpt == 's.pth'
            assert cfg.model.teacher_ckpt == 't.pth'
    cfg = build_run_cfg(regime, 'sakd_random_i5', 1, prepared, 'w')
    assert cfg.default_hooks.sakd.selector == 'random'
    assert cfg.default_hooks.sakd.interval == 5


def test_variants_build_valid_runs():
    """Every variant beyond the paper builds a config whose hook accepts
    its options, with the epochs, cache and schedule it names."""
    from mmengine.registry import init_default_scope

    from mmsakd.registry import HOOKS
    init_default_scope('mmsakd')
    regime = REGIMES['transfer']
    prepared = dict(
        target_root='data/t',
        source_root='data/s',
        teacher=dict(checkpoint='t.pth'),
        student=dict(checkpoint='s.pth'))
    for run, (_, config, _, options) in VARIANTS.items():
        cfg = build_run_cfg(regime, run, 3, prepared, 'w')
        options = options or {}
        epochs = run_epochs(regime, run)
        assert cfg.train_cfg.max_epochs == epochs
        assert cfg.param_scheduler[0].T_max == epochs
        # The preset's config caches; a variant's model options may too.
        cache = options.get('model', {}).get('teacher_cache',
                                             config.startswith('sakd_plus/'))
        assert bool(cfg.model.get('teacher_cache')) == cache, run
        hook = cfg.default_hooks.get('sakd')
        if hook is not None:
            HOOKS.build(hook.to_dict())
        converted = cfg.param_scheduler[0].get('convert_to_iter_based', False)
        if 'lr_by_steps' in options:
            assert converted == options['lr_by_steps']
    assert run_epochs(regime, 'kd_e40') == 6
    assert run_epochs(regime, 'kd_e47_cache') == 7
    preset = build_run_cfg(regime, 'sakd_plus', 3, prepared, 'w')
    assert preset.model.teacher_cache is True
    assert 'convert_to_iter_based' not in preset.param_scheduler[0]
    ablation = build_run_cfg(regime, 'plus_lr_step', 3, prepared, 'w')
    assert ablation.param_scheduler[0].convert_to_iter_based is True
    assert build_run_cfg(regime, 'plus_floor', 3, prepared,
                         'w').default_hooks.sakd.alpha_min == 0.5
    cheap = build_run_cfg(regime, 'plus_cheap_scoring', 3, prepared, 'w')
    assert cheap.default_hooks.sakd.score_pipeline[1].clip_len == 8
    # The first preset, rebuilt from the current one.
    first = build_run_cfg(regime, 'sakd_plus_v1', 3, prepared, 'w')
    assert first.param_scheduler[0].convert_to_iter_based is True
    assert first.default_hooks.sakd.criterion == 'keep_high'
    assert first.default_hooks.sakd.diversity is None
    assert first.default_hooks.sakd.alpha_min == 0.5
    final = build_run_cfg(regime, 'v1_rand_lr_epoch_no_floor', 3, prepared,
                          'w')
    assert final.default_hooks.sakd == preset.default_hooks.sakd
    assert final.param_scheduler == preset.param_scheduler


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
