"""Running studies: the tables of a regime's study from its run folders,
checked against numbers computed here, and a study of two tiny user
configs outside the repository through tools/analysis/benchmark.py, in
its short form and as a study file, resumed and reused."""
import importlib.util
import json
import os
import os.path as osp
import statistics
import subprocess
import sys

import pytest
from helpers import REPO_ROOT, make_teacher_checkpoint

from mmsakd.benchmark import (REGIMES, builtin_catalogue, quick_regime,
                              summarize_study)

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'benchmark.py')
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
# The user's configs: the tiny pair on the tiny data, written as a user
# would, outside the repository.
USER_CONFIG = """_base_ = 'mmsakd::synthetic/{base}'
data_root = '{data_root}'
{model}
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        ann_file=data_root + '/train.txt',
        data_prefix=dict(video=data_root + '/videos')))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        ann_file=data_root + '/val.txt',
        data_prefix=dict(video=data_root + '/videos')))
test_dataloader = val_dataloader
"""
# kd and ce of the regime's study, two seeds, two epochs each, and
# sakd_i1 with scoring rounds: (top-1 per epoch, training time per epoch,
# data wait).
CURVES = {
    ('kd', 0): ([50., 70.], 10., 2.),
    ('kd', 1): ([60., 80.], 11., 3.),
    ('ce', 0): ([40., 60.], 8., 1.),
    ('ce', 1): ([45., 64.], 9., 1.),
    ('sakd_i1', 0): ([30., 66.], 3., None),
    ('sakd_i1', 1): ([50., 72.], 4., None),
}


def _record(run, seed):
    top1s, epoch_time, data_time = CURVES[run, seed]
    curve = [
        dict(
            epoch=i + 1,
            train_time=epoch_time * (i + 1),
            top1=t,
            top5=min(100., t + 20)) for i, t in enumerate(top1s)
    ]
    record = dict(
        run=run,
        seed=seed,
        label=builtin_catalogue().run(run).label,
        top1=top1s[-1],
        top5=curve[-1]['top5'],
        train_time=curve[-1]['train_time'],
        data_time=data_time,
        iters=12,
        epochs=2,
        curve=curve)
    if run == 'sakd_i1':
        record.update(
            rounds=2,
            score_time=1. + seed,
            score_data_time=.2,
            select_time=.01)
    return record


def _cells(markdown, label):
    line = next(line for line in markdown.splitlines()
                if line.startswith(f'| {label} |'))
    return [c.strip() for c in line.strip('|').split('|')]


def _pm(values, digits=1, sign=False):
    mean, std = statistics.mean(values), statistics.stdev(values)
    return f'{mean:{"+" if sign else ""}.{digits}f} ± {std:.{digits}f}'


def test_regime_study_tables_from_run_folders(tmp_path):
    for (run, seed) in CURVES:
        folder = tmp_path / 'runs' / run / f'seed{seed}'
        os.makedirs(folder)
        (folder / 'run_result.json').write_text(json.dumps(_record(run, seed)))
    study = builtin_catalogue().select(['kd', 'sakd_i1', 'ce']).replace(
        seeds=(0, 1), baseline='kd')
    regime = quick_regime(REGIMES['scratch'])
    prepared = dict(
        teacher=dict(top1=81.25), pretrained=[dict(name='scratch_teacher')])
    out = summarize_study(study, str(tmp_path), regime, prepared)
    assert [(r['run'], r['seed']) for r in out['records']] == [('kd', 0),
                                                               ('kd', 1),
                                                               ('sakd_i1', 0),
                                                               ('sakd_i1', 1),
                                                               ('ce', 0),
                                                               ('ce', 1)]
    # Rows in the order the study file defines the runs.
    assert [r['run']
            for r in out['summary']['rows']] == ['ce', 'kd', 'sakd_i1']
    text = out['text']
    assert text.startswith('# SAKD benchmark, scratch regime\n\n24 training '
                           '/ 12 validation clips of 10 classes, trained on '
                           'random 16-frame windows and crops of 24-frame '
                           'clips, 2 epochs per run, seeds [0, 1], ')
    assert 'from scratch for 1 epochs (seed 0): top-1 81.2 %' in text
    kd = {s: CURVES['kd', s] for s in (0, 1)}
    kd_time = statistics.mean(2 * t for _, t, _ in kd.values())
    kd_final = statistics.mean(c[-1] for c, _, _ in kd.values())
    for run in ('ce', 'kd', 'sakd_i1'):
        runs = [CURVES[run, s] for s in (0, 1)]
        finals = [c[-1] for c, _, _ in runs]
        cells = _cells(text, builtin_catalogue().run(run).label)
        assert cells[1] == _pm(finals)
        assert cells[2] == _pm(
            [f - k[0][-1] for f, k in zip(finals, kd.values())], sign=True)
        assert cells[4] == '{:.2f}x ± {:.2f}'.format(
            *(f([t / k[1] for (_, t, _), k in zip(runs, kd.values())])
              for f in (statistics.mean, statistics.stdev)))
        # The mean curve against 95 % and 100 % of kd's final mean top-1.
        for cell, target in zip(cells[5:7], (0.95 * kd_final, kd_final)):
            reached = [
                e for e in (0, 1)
                if statistics.mean(c[e] for c, _, _ in runs) >= target
            ]
            time = statistics.mean(
                t for _, t, _ in runs) * (reached[0] + 1) if reached else None
            assert cell == ('never' if time is None else
                            f'{time / kd_time:.2f}x'), (run, target)
        waits = [w for _, _, w in runs]
        assert cells[7] == ('-' if None in waits else '{:.0f} %'.format(
            100 * statistics.mean(waits) /
            statistics.mean(2 * t for _, t, _ in runs)))
        assert cells[-1] == '2'
    assert out['calibration']['teacher_minus_ce'] == 81.25 - 62.
    assert '## Calibration' in text
    split = _cells(
        text.split('## Where the training time goes')[1], 'SAKD, every epoch')
    # 7 s of training, 1.5 s scoring of which 0.2 s data wait, 0.01 s
    # selection; a round (0.75 s) against a kd epoch (10.5 s).
    assert split[1:7] == ['7.0', '0.0', '1.5', '0.2', '0.01', '5.5']
    assert split[7] == '0.07x ± 0.03'


def _tool(cwd, *args):
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', '1')
    result = subprocess.run([sys.executable, '-W', 'ignore', TOOL, *args],
                            capture_output=True,
                            text=True,
                            cwd=str(cwd),
                            timeout=600,
                            env=env)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return log


@pytest.fixture(scope='module')
def user_study(tmp_path_factory, tiny_data_root):
    user = tmp_path_factory.mktemp('user')
    teacher = make_teacher_checkpoint(str(user / 'teacher.pth'))
    (user / 'student.py').write_text(
        USER_CONFIG.format(
            base='slowfast_tiny_student_synthetic.py',
            data_root=tiny_data_root,
            model=''))
    (user / 'kd.py').write_text(
        USER_CONFIG.format(
            base='kd_slowfast_tiny_synthetic.py',
            data_root=tiny_data_root,
            model=f'model = dict(teacher_ckpt={teacher!r})'))
    log = _tool(user, '--configs', 'student.py', 'kd.py', '--baseline',
                'student.py', '--seeds', '0,1', '--epochs', '1', '--work-dir',
                'bench')
    work_dir = user / 'bench'
    with open(work_dir / 'results.json') as f:
        results = json.load(f)
    return dict(
        user=user,
        work_dir=work_dir,
        log=log,
        results=results,
        markdown=(work_dir / 'results.md').read_text())


def test_user_configs_give_the_tables(user_study):
    records = user_study['results']['records']
    assert [(r['run'], r['seed']) for r in records] == [('student', 0),
                                                        ('student', 1),
                                                        ('kd', 0), ('kd', 1)]
    by_run = {}
    for record in records:
        assert record['epochs'] == 1 and len(record['curve']) == 1
        assert osp.isfile(user_study['work_dir'] / 'runs' / record['run'] /
                          f'seed{record["seed"]}' / 'fingerprint.txt')
        by_run.setdefault(record['run'], []).append(record)
    summary = user_study['results']['summary']
    assert summary['baseline'] == 'student'
    markdown = user_study['markdown']
    assert markdown.startswith('# Benchmark: configs\n')
    for run, group in by_run.items():
        cells = _cells(markdown, run)
        assert cells[1] == _pm([r['top1'] for r in group])
        assert cells[2] == _pm(
            [r['top1'] - b['top1'] for r, b in zip(group, by_run['student'])],
            sign=True)
        ratios = [
            r['train_time'] / b['train_time']
            for r, b in zip(group, by_run['student'])
        ]
        assert cells[4] == (f'{statistics.mean(ratios):.2f}x ± '
                            f'{statistics.stdev(ratios):.2f}')
    assert 'Time to 95 % of student' in markdown
    assert '## Where the training time goes' in markdown
    assert '## Calibration' not in markdown
    for png in ('accuracy_vs_time.png', 'frontier.png'):
        with open(user_study['work_dir'] / png, 'rb') as f:
            assert f.read(8) == PNG_SIGNATURE


def test_study_file_resumes_and_reuses(user_study):
    user, work_dir = user_study['user'], user_study['work_dir']
    # The same study as a file; one run lost its record mid-way.
    (user / 'study.py').write_text(
        "runs = [dict(config='student.py'), dict(config='kd.py')]\n"
        "baseline = 'student'\n"
        'seeds = [0, 1]\n'
        'epochs = 1\n')
    os.remove(work_dir / 'runs' / 'kd' / 'seed1' / 'run_result.json')
    log = _tool(user, 'study.py', '--work-dir', 'bench')
    assert 'Epoch(train)' not in log  # nothing trains again
    assert 'settings changed' not in log
    assert 'resumed epoch: 1' in log
    with open(work_dir / 'results.json') as f:
        again = json.load(f)
    assert again['summary'] == user_study['results']['summary']
    tables = user_study['markdown'].split('\n| Run |', 1)[1]
    assert (work_dir / 'results.md').read_text().split('\n| Run |',
                                                       1)[1] == tables


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location('_benchmark_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('args, message', [
    ([], 'a study file or --configs'),
    (['mmsakd::studies/paper.py', '--configs', 'a.py'], 'not both'),
    (['mmsakd::studies/paper.py', '--runs', 'kd,bogus'], 'bogus'),
    (['mmsakd::studies/paper.py', '--seeds', '1,1'], 'distinct'),
    (['mmsakd::studies/paper.py', '--epochs', '0'], 'epochs'),
    (['--configs', 'missing.py'], 'missing.py'),
    (['--configs', 'a.py', '--runs', 'a'], '--runs'),
])
def test_bad_arguments_are_usage_errors(tool, args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        tool.parse_args(args)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_arguments_change_the_study(tool):
    args = tool.parse_args([
        'mmsakd::studies/beyond_paper/final_scratch.py', '--runs',
        'sakd_plus,kd', '--seeds', '4', '--regime', 'transfer', '--quick'
    ])
    study = args.study
    assert [r.name for r in study.runs] == ['sakd_plus', 'kd']
    assert study.seeds == (4, ) and study.regime == 'transfer'
    assert args.work_dir == 'work_dirs/study13/scratch_final'
    assert args.data_dir == osp.join(args.work_dir, 'data')
    args = tool.parse_args(['mmsakd::studies/paper.py', '--quick'])
    assert args.work_dir == osp.join('work_dirs', 'benchmark',
                                     'paper_transfer_quick')
