"""What the Makefile installs, and when, checked with a stand-in Python that
logs its commands (no pip runs, nothing is downloaded)."""
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest
from helpers import REPO_ROOT

pytestmark = pytest.mark.skipif(
    shutil.which('make') is None, reason='make is not installed')

# Logs every call; makes a venv whose python is itself; runs `-c` snippets
# without site-packages, so that only the stand-in modules of PYTHONPATH
# (torch, mmcv) can be imported.
FAKE_PYTHON = """#!/bin/sh
echo "$0 $*" >> "$FAKE_LOG"
if [ "$1" = -W ]; then shift 2; fi
if [ "$1" = -m ] && [ "$2" = venv ]; then
    mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
elif [ "$1" = -c ]; then
    exec "$REAL_PYTHON" -S -c "$2"
fi
"""
FAKE_TORCH = """import os
__version__ = os.environ['FAKE_TORCH']
class version:
    cuda = os.environ.get('FAKE_CUDA') or None
"""
CPU_TORCH = dict(FAKE_TORCH='2.13.0+cpu', FAKE_CUDA='')
CUDA_TORCH = dict(FAKE_TORCH='2.13.0+cu128', FAKE_CUDA='12.8')
CPU_FLAVOUR = ('DEVICE=cpu TORCH=torch==2.13.0 TORCH_PIP_ARGS= '
               'MMCV=mmcv-lite==2.1.0')
CU128 = '--index-url https://download.pytorch.org/whl/cu128'


class Make:
    """The repository's Makefile in a folder of its own, run with a
    stand-in Python."""

    def __init__(self, root):
        self.root = root
        for name in ('Makefile', 'setup.py'):
            shutil.copy(osp.join(REPO_ROOT, name), root / name)
        shutil.copytree(
            osp.join(REPO_ROOT, 'requirements'), root / 'requirements')
        self.python = root / 'bin' / 'python3'
        self.python.parent.mkdir()
        self.python.write_text(FAKE_PYTHON)
        self.python.chmod(0o755)
        (root / 'mods' / 'torch').mkdir(parents=True)
        (root / 'mods' / 'torch' / '__init__.py').write_text(FAKE_TORCH)
        self.log = root / 'log'
        self.venv = root / '.venv'

    def __call__(self, *args, ok=True, **fake):
        """Run make; returns (the Python calls it made, its output)."""
        self.log.write_text('')
        env = {
            k: v
            for k, v in os.environ.items()
            # A make that runs this test passes its own variables down.
            if not k.startswith('MAKE') and k != 'MFLAGS'
        }
        env.update(
            CPU_TORCH,
            FAKE_LOG=str(self.log),
            REAL_PYTHON=sys.executable,
            PYTHONPATH=str(self.root / 'mods'),
            **fake)
        result = subprocess.run(
            ['make', '--no-print-directory', *args, f'PYTHON={self.python}'],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60)
        output = result.stdout + result.stderr
        assert (result.returncode == 0) == ok, output
        calls = [
            line.replace(str(self.root) + '/', '')
            for line in self.log.read_text().splitlines()
        ]
        return calls, output

    def flavour(self):
        return (self.venv / '.mmsakd-flavour').read_text().strip()


def _pip_installs(calls):
    return [c.split(' install ', 1)[1] for c in calls if ' pip install ' in c]


def test_venv_keeps_its_flavour_until_another_is_named(tmp_path):
    make = Make(tmp_path)
    calls, _ = make('venv')
    assert calls[0] == 'bin/python3 -m venv .venv'
    assert _pip_installs(calls) == [
        '--quiet torch==2.13.0', '--quiet mmcv-lite==2.1.0',
        '--quiet -c requirements/constraints.txt -e .[tests]',
        '--quiet -r requirements/lint.txt'
    ]
    assert make.flavour() == CPU_FLAVOUR
    assert make('venv')[0] == []

    # A CUDA build asked for: a new .venv, torch from the CUDA index.
    (make.venv / 'mark').write_text('')
    calls, output = make('demo', 'DEVICE=cuda', 'CUDA=cu128', **CUDA_TORCH)
    assert 'Building a new .venv' in output
    assert not (make.venv / 'mark').exists()
    assert calls[0] == 'bin/python3 -m venv .venv'
    assert _pip_installs(calls)[:2] == [
        f'--quiet torch==2.13.0 {CU128}', '--quiet mmcv-lite==2.1.0'
    ]
    assert calls[-1] == '.venv/bin/python tools/demo.py'
    assert make.flavour() == (f'DEVICE=cuda TORCH=torch==2.13.0 '
                              f'TORCH_PIP_ARGS={CU128} MMCV=mmcv-lite==2.1.0')
    # Later commands that name no flavour keep it; so does naming it again.
    (make.venv / 'mark').write_text('')
    assert make('demo')[0] == ['.venv/bin/python tools/demo.py']
    assert make('venv', 'CUDA=cu128')[0] == []
    # A changed requirement reinstalls mmsakd, not torch.
    os.utime(tmp_path / 'setup.py', (1e10, 1e10))
    assert _pip_installs(make('venv')[0]) == [
        '--quiet -c requirements/constraints.txt -e .[tests]',
        '--quiet -r requirements/lint.txt'
    ]
    assert (make.venv / 'mark').exists()
    # Back to the CPU flavour by name.
    calls, _ = make('venv', 'DEVICE=cpu')
    assert not (make.venv / 'mark').exists()
    assert _pip_installs(calls)[0] == '--quiet torch==2.13.0'
    assert make.flavour() == CPU_FLAVOUR


def test_cuda_refuses_a_cpu_build_and_starts_over(tmp_path):
    make = Make(tmp_path)
    # What pip finds first here is a CPU build.
    _, output = make('venv', 'DEVICE=cuda', ok=False)
    assert 'DEVICE=cuda, but pip installed torch 2.13.0+cpu' in output
    assert 'CUDA=cu128' in output
    assert not (make.venv / '.mmsakd-installed').exists()
    (make.venv / 'mark').write_text('')
    # The unfinished .venv is not reused (pip would keep its torch).
    calls, output = make('venv', 'DEVICE=cuda', 'CUDA=cu128', **CUDA_TORCH)
    assert 'did not finish' in output
    assert not (make.venv / 'mark').exists()
    assert _pip_installs(calls)[0] == f'--quiet torch==2.13.0 {CU128}'
    assert (make.venv / '.mmsakd-installed').exists()


def test_venv_of_an_older_makefile_or_by_hand(tmp_path):
    make = Make(tmp_path)
    (make.venv / 'bin').mkdir(parents=True)
    shutil.copy(make.python, make.venv / 'bin' / 'python')
    # By hand: never removed, its torch and mmcv left alone.
    _, output = make('venv', 'DEVICE=cuda', ok=False)
    assert '.venv was not built by make' in output
    assert (make.venv / 'bin' / 'python').exists()
    assert _pip_installs(make('venv')[0]) == [
        '--quiet -c requirements/constraints.txt -e .[tests]',
        '--quiet -r requirements/lint.txt'
    ]
    # That left an empty stamp, as an older Makefile's build has: kept as
    # it is, and replaced when a flavour is named.
    assert (make.venv / '.mmsakd-installed').read_text() == ''
    assert make('venv')[0] == []
    calls, _ = make('venv', 'DEVICE=cpu')
    assert calls[0] == 'bin/python3 -m venv .venv'
    assert make.flavour() == CPU_FLAVOUR


def test_flavour_variables_are_checked(tmp_path):
    make = Make(tmp_path)
    _, output = make('-n', 'venv', 'DEVICE=gpu', ok=False)
    assert "DEVICE must be cpu or cuda, got 'gpu'" in output
    _, output = make('-n', 'venv', 'DEVICE=cpu', 'CUDA=cu128', ok=False)
    assert 'use it with DEVICE=cuda' in output
    # From the environment, DEVICE and CUDA are other programs' settings.
    calls, _ = make('venv', DEVICE='cuda:0', CUDA='/usr/local/cuda')
    assert _pip_installs(calls)[0] == '--quiet torch==2.13.0'


def test_install_adds_mmcv_lite_only_without_mmcv(tmp_path):
    make = Make(tmp_path)
    calls, _ = make('install')
    assert _pip_installs(calls) == ['mmcv-lite==2.1.0', '-e .']
    # An environment with the full mmcv keeps it.
    (tmp_path / 'mods' / 'mmcv').mkdir()
    (tmp_path / 'mods' / 'mmcv' / '__init__.py').write_text('')
    calls, _ = make('install')
    assert _pip_installs(calls) == ['-e .']
    assert not (make.venv).exists()
