import importlib.util
import json
import os.path as osp
import subprocess
import sys

import pytest
from figures import bar_heights, line_data, record_figures, texts
from helpers import REPO_ROOT

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'plot_sakd.py')
PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def load_tool():
    spec = importlib.util.spec_from_file_location('plot_sakd_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_work_dir(path, labels=True, num_rounds=3):
    """A work dir with the rounds file of a run on 12 samples, 3 classes."""
    path.mkdir(parents=True)
    with open(path / 'sakd_rounds.jsonl', 'w') as f:
        for n in range(1, num_rounds + 1):
            selected = [(n + 5 * k) % 12 for k in range(4)]
            record = dict(
                epoch=n - 1,
                round=n,
                subset_size=4,
                num_samples=12,
                num_classes=3,
                alpha_mean=0.05 * n,
                alpha_min=0.0,
                alpha_max=0.1 * n,
                alpha_hist=[12 - n, n] + [0] * 8,
                selected=selected)
            if labels:
                record['selected_labels'] = [i % 3 for i in selected]
            f.write(json.dumps(record) + '\n')
    return str(path)


def make_results(path):
    curve = [
        dict(epoch=e, train_time=10.0 * e, top1=30.0 + 5 * e, top5=90.0)
        for e in (1, 2, 3)
    ]
    path.write_text(
        json.dumps({
            'settings': {},
            'runs': [
                dict(
                    name='sakd_i1',
                    label='SAKD',
                    top1=45.0,
                    top5=90.0,
                    train_time=30.0,
                    rel_time=0.3,
                    curve=curve)
            ]
        }))
    return str(path)


def is_png(path):
    with open(path, 'rb') as f:
        return f.read(8) == PNG_MAGIC


def test_cli_plots_what_it_can_and_names_what_it_cannot(tmp_path):
    """The tool as a script: the plots of a run and of a results file
    written and printed, a missing work dir reported, exit code 1."""
    work_dir = make_work_dir(tmp_path / 'sakd_i1')
    missing = str(tmp_path / 'no_such_run')
    results = make_results(tmp_path / 'results.json')
    out_dir = str(tmp_path / 'plots')
    result = subprocess.run([
        sys.executable, TOOL, work_dir, missing, '--results', results,
        '--out-dir', out_dir
    ],
                            capture_output=True,
                            text=True,
                            timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.split() == [
        osp.join(out_dir, name)
        for name in ('sakd_i1_sakd_alpha.png', 'sakd_i1_sakd_selection.png',
                     'accuracy_vs_time.png')
    ]
    assert all(is_png(p) for p in result.stdout.split())
    assert f'error: {missing}: no such work dir' in result.stderr


def test_main_defaults_and_prefixes(tmp_path, capsys, monkeypatch):
    figures = record_figures(monkeypatch)
    tool = load_tool()
    first = make_work_dir(tmp_path / 'a' / 'sakd_i1')
    assert tool.main([first]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [
        osp.join(first, 'sakd_alpha.png'),
        osp.join(first, 'sakd_selection.png')
    ]
    assert all(is_png(p) for p in printed)
    # What make_work_dir logged: alpha of each round, selections per class.
    alpha, selection = figures
    lines = line_data(alpha.axes[0])
    assert lines['mean alpha'][1] == pytest.approx([0.05, 0.1, 0.15])
    assert lines['max alpha'][1] == pytest.approx([0.1, 0.2, 0.3])
    assert lines['min alpha'][1] == [0.0] * 3
    selected = [(n + 5 * k) % 12 for n in (1, 2, 3) for k in range(4)]
    per_class = [sum(i % 3 == c for i in selected) for c in range(3)]
    assert bar_heights(selection.axes[0]) == per_class

    second = make_work_dir(tmp_path / 'b' / 'sakd_i5', labels=False)
    out_dir = str(tmp_path / 'out')
    ann = tmp_path / 'train.txt'
    ann.write_text(''.join(f'v{i}.mp4 {i % 3}\n' for i in range(12)))
    names = tmp_path / 'classes.txt'
    names.write_text('x\ny\nz\n')
    assert tool.main([
        first, second, '--out-dir', out_dir, '--ann-file',
        str(ann), '--class-names',
        str(names)
    ]) == 0
    printed = capsys.readouterr().out.split()
    assert [osp.basename(p) for p in printed] == [
        'sakd_i1_sakd_alpha.png', 'sakd_i1_sakd_selection.png',
        'sakd_i5_sakd_alpha.png', 'sakd_i5_sakd_selection.png'
    ]
    assert all(osp.dirname(p) == out_dir and is_png(p) for p in printed)
    # The second run's classes come from the annotation file, its tick
    # labels from the class names.
    selection = figures[5].axes[0]
    assert bar_heights(selection) == per_class
    assert [t.get_text() for t in selection.get_xticklabels()] == list('xyz')

    # Accuracy plot only, next to the results file.
    (tmp_path / 'demo').mkdir()
    results = make_results(tmp_path / 'demo' / 'results.json')
    assert tool.main(['--results', results]) == 0
    assert capsys.readouterr().out.split() == [
        osp.join(tmp_path, 'demo', 'accuracy_vs_time.png')
    ]
    accuracy = figures[-1].axes[0]
    assert line_data(accuracy) == {'SAKD': ([10., 20., 30.], [35., 40., 45.])}
    assert texts(accuracy) == ['SAKD: 45.0% (0.30x time)']


@pytest.mark.parametrize('case',
                         ['malformed', 'empty', 'results', 'ann', 'same_name'])
def test_main_bad_input(tmp_path, capsys, case):
    tool = load_tool()
    work_dir = make_work_dir(tmp_path / 'run')
    rounds = osp.join(work_dir, 'sakd_rounds.jsonl')
    args = [work_dir]
    if case == 'malformed':
        with open(rounds, 'a') as f:
            f.write('{"round": 4, \n')
        expected = f'{rounds}, line 4: malformed JSON'
    elif case == 'empty':
        open(rounds, 'w').close()
        expected = f'{rounds}: the file holds no selection round'
    elif case == 'results':
        bad = tmp_path / 'results.json'
        bad.write_text(json.dumps({'runs': [{'name': 'x', 'curve': []}]}))
        args += ['--results', str(bad)]
        expected = f'{bad}: run "x": no point with train_time and top1'
    elif case == 'ann':
        ann = tmp_path / 'train.txt'
        ann.write_text('a.mp4 0\nb.mp4 cat\n')
        args += ['--ann-file', str(ann)]
        expected = f'{ann}, line 2: the last token'
    else:
        other = make_work_dir(tmp_path / 'elsewhere' / 'run')
        args += [other, '--out-dir', str(tmp_path / 'out')]
        expected = 'work dirs with the same name'
    assert tool.main(args) == 1
    err = capsys.readouterr().err
    assert expected in err, err
