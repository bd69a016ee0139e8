"""tools/demo.py --quick end to end: the transfer regime's smoke run
(pretraining on the source, fine-tuning on the target), its table and
plots, reuse of finished runs and cached checkpoints, argument checks."""
import importlib.util
import json
import math
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
from helpers import REPO_ROOT

DEMO = osp.join(REPO_ROOT, 'tools', 'demo.py')
RUN_NAMES = ['ce', 'kd', 'sakd_i1', 'random_kd_i1', 'kd_store_warm']
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
# Run on one pytest-xdist worker: the tests share one run of the demo.
pytestmark = pytest.mark.xdist_group('demo')


def _demo(work_dir):
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', '1')
    result = subprocess.run([
        sys.executable, '-W', 'ignore', DEMO, '--quick', '--work-dir',
        str(work_dir)
    ],
                            capture_output=True,
                            text=True,
                            cwd=REPO_ROOT,
                            timeout=900,
                            env=env)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return log


def _mtimes(quick):
    return {
        name:
        os.stat(osp.join(quick, 'runs', name, 'seed0',
                         'run_result.json')).st_mtime_ns
        for name in RUN_NAMES
    }


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('demo')
    log = _demo(work_dir)
    quick = osp.join(str(work_dir), 'quick')
    with open(osp.join(quick, 'results.json')) as f:
        results = json.load(f)
    with open(osp.join(quick, 'results.md')) as f:
        markdown = f.read()
    return dict(
        work_dir=work_dir,
        quick=quick,
        log=log,
        results=results,
        markdown=markdown,
        mtimes=_mtimes(quick))


def test_pretraining_then_fine_tuning(demo):
    settings = demo['results']['settings']
    assert settings['regime']['name'] == 'transfer'
    assert settings['seeds'] == [0]
    infos = {i['name']: i for i in settings['pretrained']}
    assert sorted(infos) == [
        'transfer_student_source', 'transfer_teacher',
        'transfer_teacher_source'
    ]
    for info in infos.values():
        assert osp.isfile(info['checkpoint'])
        assert info['checkpoint'].startswith(
            osp.join(demo['quick'], 'checkpoints'))
    # The teacher is fine-tuned from its source weights, the student runs
    # start from the student's (the source head's 12 classes are skipped).
    teacher_src = infos['transfer_teacher_source']['checkpoint']
    student_src = infos['transfer_student_source']['checkpoint']
    assert f'Load checkpoint from {teacher_src}' in demo['log']
    assert demo['log'].count(f'Load checkpoint from {student_src}') == 1
    assert demo['log'].count(student_src) >= len(RUN_NAMES)
    with open(
            osp.join(demo['quick'], 'data', 'transfer_source_aug',
                     'classes.txt')) as f:
        assert len(f.read().split()) == 12


def test_runs_in_order_with_metrics_and_curves(demo):
    records = demo['results']['records']
    assert [r['run'] for r in records] == RUN_NAMES
    for record in records:
        assert 0 <= record['top1'] <= record['top5'] <= 100
        assert [p['epoch'] for p in record['curve']] == [1, 2]
        assert record['curve'][-1]['top1'] == record['top1']
    by_run = {r['run']: r for r in records}
    assert by_run['sakd_i1']['subset_size'] == math.ceil(0.1 * 24)
    assert by_run['sakd_i1']['rounds'] == 2
    # The preset fills its store (24 clips, a view per epoch) before
    # training, then reads it.
    assert 'TeacherStoreHook: wrote 48 clip views' in demo['log']


def test_markdown_table_calibration_and_plots(demo):
    markdown = demo['markdown']
    rows = [line for line in markdown.splitlines() if line.startswith('| ')]
    for record in demo['results']['records']:
        assert any(
            r.startswith(f'| {record["label"]} | {record["top1"]:.1f} ± 0.0')
            for r in rows), record['label']
    assert 'pretrained on 36' in markdown
    calibration = markdown.split('## Calibration')[1].split('##')[0]
    assert len(re.findall(r'\*\*(met|missed)\*\*', calibration)) == 5
    pngs = re.findall(r'!\[[^\]]*\]\(([^)]+)\)', markdown)
    assert pngs[:2] == ['accuracy_vs_time.png', 'frontier.png']
    # Accuracy, frontier, and alpha/selection of the SAKD run.
    assert len(pngs) == 2 + 2
    for name in pngs:
        with open(osp.join(demo['quick'], name), 'rb') as f:
            assert f.read(8) == PNG_SIGNATURE, name


def _tool():
    spec = importlib.util.spec_from_file_location('_demo_tool', DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('args,message', [
    (['--runs', 'kd,bogus'], "--runs: unknown run(s) ['bogus']"),
    (['--val-interval', '0'], '--val-interval must be >= 1, got 0'),
])
def test_bad_arguments_are_usage_errors(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        _tool().parse_args(args)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_val_interval_defaults():
    tool = _tool()
    assert tool.parse_args([]).val_interval == 3
    assert tool.parse_args(['--quick']).val_interval == 1
    assert tool.parse_args(['--val-interval', '2']).val_interval == 2


def test_second_invocation_reuses_everything(demo):
    # Last in the module: it rewrites results.json/md (same content).
    log = _demo(demo['work_dir'])
    assert _mtimes(demo['quick']) == demo['mtimes']
    assert 'Epoch(train)' not in log
    assert log.count(': cached ') == 3
    with open(osp.join(demo['quick'], 'results.json')) as f:
        again = json.load(f)
    assert [(r['run'], r['top1'], r['train_time']) for r in again['records']
            ] == [(r['run'], r['top1'], r['train_time'])
                  for r in demo['results']['records']]
