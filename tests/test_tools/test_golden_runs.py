"""tools/analysis/golden_runs.py: the comparison on canned records (equal,
a changed alpha, a changed subset, a change of timings only, a resumed run
against its uninterrupted one), and one real record of a short run."""
import importlib.util
import json
import os
import os.path as osp

import pytest
import torch
from helpers import REPO_ROOT

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'golden_runs.py')


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location('golden_runs_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _round(epoch, selected, **extra):
    return dict(
        epoch=epoch,
        round=epoch + 1,
        score_time=0.5,
        select_time=0.01,
        alpha_mean=0.125 * epoch,
        selected=selected,
        **extra)


def _work_dir(root, lines=None, alpha_2=None):
    """A SAKD work dir of two epochs: the round log and the checkpoints."""
    os.makedirs(root)
    lines = lines or [_round(0, [1, 4]), _round(1, [1, 7])]
    with open(osp.join(root, 'sakd_rounds.jsonl'), 'w') as f:
        f.writelines(json.dumps(line) + '\n' for line in lines)
    for epoch, alpha in ((1, torch.zeros(8)), (2, torch.linspace(0, 1, 8) if
                                               alpha_2 is None else alpha_2)):
        torch.save(
            dict(
                state_dict={
                    'student.fc.weight': torch.full((2, 3), float(epoch)),
                    'teacher_cache.logits': torch.ones(8)
                },
                sakd=dict(
                    omega=torch.arange(8) % epoch,
                    alpha=alpha,
                    subset=[
                        r['selected'] for r in lines if r['epoch'] == epoch - 1
                    ][-1],
                    rounds=epoch)), osp.join(root, f'epoch_{epoch}.pth'))
    return root


def _canned(tool, tmp_path, name, records):
    """A record folder of ``{scenario: work dir}``, written as ``record``
    writes it."""
    folder = tmp_path / name
    for scenario, work in records.items():
        os.makedirs(folder / scenario)
        data = dict(tool.extract(str(work)), inputs=dict(teacher='t'))
        torch.save(data, folder / scenario / 'golden.pt')
        summary = dict(settings=tool.settings(tool.BY_NAME[scenario]))
        (folder / scenario / 'golden.json').write_text(json.dumps(summary))
    return str(folder)


@pytest.fixture(scope='module')
def golden(tool, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('golden')
    return _canned(tool, tmp, 'golden', dict(sakd=_work_dir(tmp / 'work')))


def _rows(tool, golden, tmp_path, capsys, **work):
    new = _canned(tool, tmp_path, 'new',
                  dict(sakd=_work_dir(tmp_path / 'work', **work)))
    code = tool.main(['compare', golden, new])
    out = capsys.readouterr().out
    return code, out, tool.compare(golden, new)[1]


def test_equal_records_pass(tool, golden, tmp_path, capsys):
    code, out, rows = _rows(tool, golden, tmp_path, capsys)
    # inputs, 2 round logs, 2 states, the student, the log lines
    assert rows == [('sakd', 'PASS', '7', '')]
    assert code == 0 and 'all equal' in out


def test_timing_only_change_passes(tool, golden, tmp_path, capsys):
    lines = [
        _round(0, [1, 4], score_data_time=3.),
        dict(_round(1, [1, 7]), score_time=9.75)
    ]
    code, _, rows = _rows(tool, golden, tmp_path, capsys, lines=lines)
    assert code == 0 and rows[0][1] == 'PASS'


def test_added_log_field_fails_unless_ignored(tool, golden, tmp_path, capsys):
    lines = [_round(0, [1, 4], kept=3), _round(1, [1, 7], kept=2)]
    code, _, rows = _rows(tool, golden, tmp_path, capsys, lines=lines)
    assert code == 1
    assert rows[0][3] == 'round 1 log (epoch 0): kept: only in new'
    new = str(tmp_path / 'new')
    assert tool.main(['compare', golden, new, '--ignore', 'kept']) == 0


def test_changed_alpha_names_round_key_and_index(tool, golden, tmp_path,
                                                 capsys):
    alpha = torch.linspace(0, 1, 8)
    alpha[5] = torch.nextafter(alpha[5], torch.tensor(2.))
    code, out, rows = _rows(tool, golden, tmp_path, capsys, alpha_2=alpha)
    expected = (f'epoch_2.pth sakd state (after round 2): sakd.alpha[5]: '
                f'{torch.linspace(0, 1, 8)[5].item()!r} != '
                f'{alpha[5].item()!r}')
    assert rows == [('sakd', 'FAIL', '1/7', expected)]
    assert code == 1 and expected in out and 'DIFFERENCES FOUND' in out


def test_changed_subset_names_round_key_and_index(tool, golden, tmp_path,
                                                  capsys):
    lines = [_round(0, [1, 4]), _round(1, [1, 6])]
    code, _, rows = _rows(tool, golden, tmp_path, capsys, lines=lines)
    # The log, its lines and the checkpoint's subset differ.
    assert rows == [('sakd', 'FAIL', '3/7',
                     'round 2 log (epoch 1): selected[1]: 7 != 6')]
    assert code == 1


def test_resumed_run_is_checked_against_uninterrupted(tool, tmp_path):
    # The resumed run logs round 2 twice, and re-ran it differently before.
    lines = [_round(0, [1, 4]), _round(1, [2, 3]), _round(1, [1, 7])]
    work = {
        'sakd': _work_dir(tmp_path / 'straight'),
        'kill_resume': _work_dir(tmp_path / 'resumed', lines=lines)
    }
    folder = _canned(tool, tmp_path, 'record', work)
    same, rows = tool.compare(folder, folder)
    assert same
    assert rows[-1] == ('kill_resume = sakd (new)', 'PASS', '6', '')
    assert tool.compare(folder, folder, only=['sakd']) == (True, rows[:1])
    work['kill_resume'] = _work_dir(
        tmp_path / 'other', alpha_2=torch.zeros(8), lines=lines)
    other = _canned(tool, tmp_path, 'other_record', work)
    assert tool.compare(other,
                        other)[1][-1][:3] == ('kill_resume = sakd (new)',
                                              'FAIL', '1/6')


def test_record_a_short_run(tool, tiny_data_root, tmp_path, capsys):
    out = tmp_path / 'record'
    os.makedirs(out)
    # The tool's data is the test suite's tiny data.
    os.symlink(tiny_data_root, out / 'data')
    argv = ['record', str(out), '--only', 'sakd', '--epochs', '2']
    assert tool.main(argv + ['--keep-checkpoints']) == 0
    work = out / 'sakd' / 'work'
    with open(work / 'sakd_rounds.jsonl') as f:
        logged = [json.loads(line) for line in f]
    summary = json.loads((out / 'sakd' / 'golden.json').read_text())
    assert [r['subset']
            for r in summary['rounds']] == [r['selected'] for r in logged]
    assert len(logged) == 2 and summary['settings']['epochs'] == 2
    data = torch.load(out / 'sakd' / 'golden.pt', weights_only=False)
    for line, kept in zip(logged, data['lines']):
        assert kept == {
            k: v
            for k, v in line.items()
            if k not in ('score_time', 'score_data_time', 'select_time')
        }
    ckpt = torch.load(work / 'epoch_2.pth', weights_only=False)
    for key in ('omega', 'alpha', 'feat'):
        assert torch.equal(data['states']['epoch_2.pth']['sakd'][key],
                           ckpt['sakd'][key])
    student = {
        k: v
        for k, v in ckpt['state_dict'].items() if k.startswith('student.')
    }
    assert len(data['student']) == len(student) > 0
    for key, value in student.items():
        assert torch.equal(data['student'][key[len('student.'):]], value)
    capsys.readouterr()
    # Recorded scenarios are skipped.
    assert tool.main(argv) == 0
    assert 'recorded already' in capsys.readouterr().out
    assert tool.compare(str(out),
                        str(out)) == (True, [('sakd', 'PASS', '7', '')])
