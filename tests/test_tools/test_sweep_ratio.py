"""tools/analysis/sweep_ratio.py: one tiny two-ratio sweep (the tool's
``main`` in the test process), bad ratios."""
import importlib.util
import json
import math
import os.path as osp
import sys

import pytest
from helpers import REPO_ROOT, TINY_DATA, make_teacher_checkpoint

SWEEP = osp.join(REPO_ROOT, 'tools', 'analysis', 'sweep_ratio.py')
LOADER_OPTIONS = [
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False'
]


@pytest.fixture(scope='module')
def sweep_module():
    spec = importlib.util.spec_from_file_location('_sweep_tool', SWEEP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def sweep(sweep_module, tiny_data_root, tmp_path_factory):
    root = tmp_path_factory.mktemp('sweep')
    teacher = make_teacher_checkpoint(str(root / 'teacher.pth'))
    work_dir = root / 'work'
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, 'argv', [
            SWEEP, '--ratios', '0.1,0.5', '--epochs', '1', '--work-dir',
            str(work_dir), '--data-root', tiny_data_root, '--teacher-ckpt',
            teacher, '--cfg-options', *LOADER_OPTIONS
        ])
        # The default configs are paths from the repository root.
        patch.chdir(REPO_ROOT)
        sweep_module.main()
    return work_dir


def test_sweep_outputs(sweep):
    with open(sweep / 'sweep.json') as f:
        data = json.load(f)
    points = data['points']
    assert [p['ratio'] for p in points] == [0.1, 0.5]
    for point in points:
        assert point['subset_size'] == math.ceil(point['ratio'] *
                                                 TINY_DATA.num_train)
        assert point['epochs'] == 1 and len(point['curve']) == 1
        assert 0 <= point['top1'] <= 100 and point['train_time'] > 0
        assert point['work_dir'] == str(sweep / f'r{point["ratio"]:g}')
    vanilla = data['vanilla']
    assert vanilla['name'] == 'vanilla' and vanilla['train_time'] > 0
    assert 'subset_size' not in vanilla
    assert data[
        'config'] == 'configs/synthetic/sakd_slowfast_tiny_synthetic.py'

    rows = [
        line for line in (sweep / 'sweep.md').read_text().splitlines()
        if line.startswith('| ')
    ]
    assert rows[0].startswith('| r | Top-1 (%)')
    assert [r.split(' | ')[0]
            for r in rows[1:]] == ['| 0.1', '| 0.5', '| vanilla KD (all)']
    assert rows[1].endswith(f'| {points[0]["subset_size"]} |')
    assert rows[-1].split(' | ')[4] == '1.00x'
    with open(sweep / 'sweep_ratio.png', 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'


@pytest.mark.parametrize('ratios', ['0', '1.5', '0.1,-0.2', 'a,b', ','])
def test_bad_ratios_are_usage_errors(sweep_module, ratios, monkeypatch,
                                     capsys):
    monkeypatch.setattr(sys, 'argv', ['sweep_ratio.py', '--ratios', ratios])
    with pytest.raises(SystemExit) as exc:
        sweep_module.parse_args()
    assert exc.value.code == 2
    assert '--ratios' in capsys.readouterr().err
