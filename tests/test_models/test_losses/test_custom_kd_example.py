"""The example of docs/adding_a_kd_method.md, run as written."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
from helpers import (REPO_ROOT, as_cli_options, make_teacher_checkpoint,
                     tiny_cfg_options)

PAGE = 'docs/adding_a_kd_method.md'
MODULE = 'my_project/my_kd.py'
CONFIG = 'my_project/sakd_my_kd_slowfast_tiny_synthetic.py'


def _page_files():
    """The page's Python blocks, keyed by their first-line ``# path``
    comment."""
    with open(osp.join(REPO_ROOT, PAGE)) as f:
        page = f.read()
    files = {}
    for block in re.findall(r'```python\n(.*?)```', page, flags=re.S):
        first, _, body = block.partition('\n')
        files[first.lstrip('# ').strip()] = body
    return files


def test_page_has_module_and_config():
    files = _page_files()
    assert set(files) == {MODULE, CONFIG}
    assert "type='MyKDLoss'" in files[CONFIG]
    assert "'my_project.my_kd'" in files[CONFIG]
    assert "'mmsakd::synthetic/sakd_slowfast_tiny_synthetic.py'" in files[
        CONFIG]


@pytest.fixture
def project_dir(tmp_path):
    """A user project outside the repository: ``my_project/`` from the
    page, next to a ``configs`` link to mmsakd's configs (for the relative
    ``_base_`` the page mentions as an alternative)."""
    for path, text in _page_files().items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    os.symlink(osp.join(REPO_ROOT, 'configs'), tmp_path / 'configs')
    return tmp_path


def test_module_computes_per_sample_loss(project_dir):
    code = ('import torch\n'
            'from mmsakd.registry import MODELS\n'
            'import my_project.my_kd\n'
            "loss = MODELS.build(dict(type='MyKDLoss', reduction='none'))\n"
            's, t = torch.zeros(3, 4), torch.ones(3, 4)\n'
            's[0] = 3.0\n'
            'print(loss(s, t).tolist())\n')
    env = dict(os.environ, PYTHONPATH=str(project_dir), OMP_NUM_THREADS='1')
    result = subprocess.run([sys.executable, '-c', code],
                            capture_output=True,
                            text=True,
                            cwd=str(project_dir),
                            env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == '[4.0, 1.0, 1.0]'


def test_trains_one_epoch(project_dir, tiny_data_root, tmp_path_factory):
    teacher_ckpt = make_teacher_checkpoint(
        str(tmp_path_factory.mktemp('teacher') / 'teacher.pth'))
    options = tiny_cfg_options(tiny_data_root, max_epochs=1)
    options.update({
        'model.teacher_ckpt': teacher_ckpt,
        'default_hooks.sakd.score_batch_size': 8,
        'default_hooks.sakd.ratio': 0.25,
    })
    work_dir = project_dir / 'work_dir'
    env = dict(os.environ, PYTHONPATH=str(project_dir), OMP_NUM_THREADS='1')
    # Run from the user's project directory, as the page does.
    result = subprocess.run([
        sys.executable, '-W', 'ignore',
        osp.join(REPO_ROOT, 'tools/train.py'), CONFIG, '--work-dir',
        str(work_dir), *as_cli_options(options)
    ],
                            capture_output=True,
                            text=True,
                            cwd=str(project_dir),
                            env=env,
                            timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert "type='MyKDLoss'" in log
    assert 'kd_raw:' in log
    assert osp.isfile(work_dir / 'epoch_1.pth')
