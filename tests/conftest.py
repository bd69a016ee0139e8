import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from helpers import REPO_ROOT, make_tiny_dataset  # noqa: E402


def run_python(code: str, env: dict = None, timeout: float = 300):
    """Run ``code`` in a fresh interpreter (imports and patches isolated)."""
    full_env = dict(os.environ)
    full_env['PYTHONPATH'] = REPO_ROOT + os.pathsep + full_env.get(
        'PYTHONPATH', '')
    full_env.update(env or {})
    return subprocess.run([sys.executable, '-W', 'ignore', '-c', code],
                          capture_output=True,
                          text=True,
                          env=full_env,
                          cwd=REPO_ROOT,
                          timeout=timeout)


@pytest.fixture
def python_runner():
    return run_python


@pytest.fixture(scope='session')
def tiny_data_root(tmp_path_factory):
    """A tiny synthetic dataset shared by the whole session (read-only)."""
    return make_tiny_dataset(str(tmp_path_factory.mktemp('tiny_synthetic')))
