import os
import subprocess
import sys

import pytest

# Under pytest-xdist each worker, and the processes it starts, gets its
# share of the cores: torch's default of a thread per core in every worker
# would oversubscribe them. Set before torch is imported.
_WORKERS = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', 1))
if _WORKERS > 1:
    os.environ.setdefault('OMP_NUM_THREADS',
                          str(max(1, (os.cpu_count() or 1) // _WORKERS)))

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


@pytest.fixture(autouse=True)
def runners_on_the_cpu(monkeypatch):
    """Runners built in the test process train on the CPU, also on a
    machine with a GPU: the suite's exactness checks (a resumed run equals
    an uninterrupted one, stored teacher outputs equal live ones) hold
    bit for bit on the CPU, where CI runs them, while cuDNN picks
    nondeterministic kernels that differ with the batch. The tests of GPU
    paths start processes of their own (test_resume_device.py) or work on
    tensors placed on the GPU by hand."""
    import mmengine.runner.runner as runner_module
    monkeypatch.setattr(runner_module, 'get_device', lambda: 'cpu')


@pytest.fixture
def python_runner():
    return run_python


@pytest.fixture(scope='session')
def tiny_data_root(tmp_path_factory):
    """A tiny synthetic dataset shared by the whole session (read-only)."""
    return make_tiny_dataset(str(tmp_path_factory.mktemp('tiny_synthetic')))
