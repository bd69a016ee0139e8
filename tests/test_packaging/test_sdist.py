"""A source distribution builds a wheel that ships the configs, their
metafiles and the model index, as pip does when it installs from source and
as `mim search mmsakd --remote` reads it."""
import glob
import os.path as osp
import shutil
import subprocess
import sys
import tarfile
import zipfile

from helpers import REPO_ROOT

# Never part of a source tree a user builds from.
IGNORED = ('.git', '.venv', 'work_dirs', 'data', 'checkpoints', 'build',
           'dist', '.mim', '__pycache__', '*.egg-info', '.pytest_cache')


def _run(cmd, cwd):
    result = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:])


def test_sdist_builds_a_wheel_with_the_model_zoo(tmp_path):
    source = tmp_path / 'source'
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(*IGNORED))
    _run([
        sys.executable, 'setup.py', '-q', 'sdist', '-d',
        str(tmp_path / 'sdist')
    ],
         cwd=str(source))
    sdists = glob.glob(str(tmp_path / 'sdist' / 'mmsakd-*.tar.gz'))
    assert len(sdists) == 1, sdists
    with tarfile.open(sdists[0]) as f:
        members = {name.partition('/')[2] for name in f.getnames()}
    index = 'model-index.yml'
    # setup.py reads the requirements; the wheel copies the rest into .mim.
    for path in ('requirements/runtime.txt', index, 'tools/train.py'):
        assert path in members, path
    metafiles = sorted(
        osp.relpath(p, REPO_ROOT) for p in glob.glob(
            osp.join(REPO_ROOT, 'configs', '*', 'metafile.yml')))
    assert metafiles
    assert set(metafiles) <= members, sorted(set(metafiles) - members)
    assert not [m for m in members if m.startswith('mmsakd/.mim')]

    _run([
        sys.executable, '-m', 'pip', 'wheel', '--no-deps',
        '--no-build-isolation', '--quiet', '-w',
        str(tmp_path / 'wheel'), sdists[0]
    ],
         cwd=str(tmp_path))
    wheels = glob.glob(str(tmp_path / 'wheel' / 'mmsakd-*.whl'))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as f:
        shipped = set(f.namelist())
    for path in [index, 'configs/kd/random_subset_kd_slowfast_ucf101.py'
                 ] + metafiles:
        assert f'mmsakd/.mim/{path}' in shipped, path
