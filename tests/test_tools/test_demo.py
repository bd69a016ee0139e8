"""tools/demo.py --quick end to end (one run, shared by the tests), its
reuse of finished runs and its argument checks."""
import importlib.util
import json
import math
import os
import os.path as osp
import re
import subprocess
import sys
import time

import pytest
from helpers import REPO_ROOT

DEMO = osp.join(REPO_ROOT, 'tools', 'demo.py')
RUN_NAMES = ['ce', 'kd', 'sakd_i1', 'sakd_i5', 'sakd_random']
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def _demo(work_dir):
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', '1')
    start = time.perf_counter()
    result = subprocess.run([
        sys.executable, '-W', 'ignore', DEMO, '--quick', '--work-dir',
        str(work_dir)
    ],
                            capture_output=True,
                            text=True,
                            cwd=REPO_ROOT,
                            timeout=600,
                            env=env)
    elapsed = time.perf_counter() - start
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return log, elapsed


def _mtimes(quick):
    return {
        name: os.stat(osp.join(quick, 'runs', name,
                               'run_result.json')).st_mtime_ns
        for name in RUN_NAMES
    }


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('demo')
    log, elapsed = _demo(work_dir)
    quick = osp.join(str(work_dir), 'quick')
    with open(osp.join(quick, 'results.json')) as f:
        results = json.load(f)
    with open(osp.join(quick, 'results.md')) as f:
        markdown = f.read()
    return dict(
        work_dir=work_dir,
        quick=quick,
        log=log,
        elapsed=elapsed,
        results=results,
        markdown=markdown,
        mtimes=_mtimes(quick))


def test_runs_in_order_with_metrics_and_curves(demo):
    runs = demo['results']['runs']
    assert [r['name'] for r in runs] == RUN_NAMES
    settings = demo['results']['settings']
    assert (settings['num_train'], settings['num_val'],
            settings['epochs']) == (40, 20, 2)
    vanilla = runs[1]
    for run in runs:
        assert 0 <= run['top1'] <= 100 and 0 <= run['top5'] <= 100
        assert run['top5'] >= run['top1']
        assert run['train_time'] > 0
        assert run['epochs'] == 2
        curve = run['curve']
        assert [p['epoch'] for p in curve] == [1, 2]
        assert curve[-1]['top1'] == run['top1']
        assert curve[-1]['train_time'] == run['train_time']
        assert curve[0]['train_time'] < curve[1]['train_time']
        assert run['rel_time'] == pytest.approx(run['train_time'] /
                                                vanilla['train_time'])
        assert run['work_dir'] == osp.join(demo['quick'], 'runs', run['name'])
    assert vanilla['rel_time'] == pytest.approx(1.0)


def test_sakd_runs_subset_and_time_split(demo):
    runs = {r['name']: r for r in demo['results']['runs']}
    for name in ('ce', 'kd'):
        assert 'score_time' not in runs[name]
    for name in ('sakd_i1', 'sakd_i5', 'sakd_random'):
        run = runs[name]
        assert run['subset_size'] == math.ceil(0.1 * 40) == 4
        assert run['score_time'] > 0
        assert run['score_time'] + run['select_time'] <= run['train_time']
    assert runs['sakd_i1']['rounds'] == 2
    assert runs['sakd_i5']['rounds'] == 1  # every 5 epochs, 2 epochs


def test_markdown_table_targets_and_plots(demo):
    markdown = demo['markdown']
    rows = [line for line in markdown.splitlines() if line.startswith('| ')]
    for run in demo['results']['runs']:
        matching = [r for r in rows if r.startswith(f'| {run["label"]} |')]
        assert matching, run['label']
        assert f'| {run["top1"]:.1f} |' in matching[0]
    assert any(r.startswith('| Teacher') for r in rows)
    assert '## Targets' in markdown
    targets = markdown.split('## Targets')[1]
    assert len(re.findall(r'\*\*(met|missed)\*\*', targets)) == 3

    pngs = re.findall(r'!\[[^\]]*\]\(([^)]+)\)', markdown)
    assert 'accuracy_vs_time.png' in pngs
    assert len(pngs) == 1 + 2 * 3  # accuracy + alpha/selection per SAKD run
    for name in pngs:
        path = osp.join(demo['quick'], name)
        assert osp.isfile(path), name
        with open(path, 'rb') as f:
            assert f.read(8) == PNG_SIGNATURE, name


def test_runs_bogus_is_a_usage_error(monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location('_demo_tool', DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, 'argv', ['demo.py', '--runs', 'kd,bogus'])
    with pytest.raises(SystemExit) as exc:
        module.parse_args()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert '--runs' in err and 'bogus' in err


def test_second_invocation_reuses_runs(demo):
    # Last in the module: it rewrites results.json/md (same content).
    log, elapsed = _demo(demo['work_dir'])
    assert _mtimes(demo['quick']) == demo['mtimes']
    assert 'Epoch(train)' not in log  # neither teacher nor students train
    assert 'found' in log and 'teacher.pth' in log
    assert elapsed < 0.7 * demo['elapsed']
    with open(osp.join(demo['quick'], 'results.json')) as f:
        again = json.load(f)
    assert [(r['name'], r['top1'], r['train_time'])
            for r in again['runs']] == [(r['name'], r['top1'], r['train_time'])
                                        for r in demo['results']['runs']]
