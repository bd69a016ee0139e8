"""What `make test` relies on to run the suite on several pytest-xdist
workers: tests of one ``xdist_group`` share one worker (and its module
fixture), and each worker draws rendezvous ports from a range of its own."""
import socket
import subprocess
import sys
import textwrap

import helpers

GROUPED = textwrap.dedent("""
    import os

    import pytest

    LOG = os.path.join(os.path.dirname(__file__), 'log')


    def _log(what):
        with open(LOG, 'a') as f:
            f.write(f"{what} {os.environ['PYTEST_XDIST_WORKER']}\\n")


    @pytest.fixture(scope='module')
    def shared():
        _log('setup')


    @pytest.mark.xdist_group('shared')
    @pytest.mark.parametrize('i', range(4))
    def test_grouped(shared, i):
        _log('grouped')


    @pytest.mark.parametrize('i', range(4))
    def test_alone(i):
        _log('alone')
""")


def test_one_group_runs_on_one_worker_with_one_module_fixture(tmp_path):
    (tmp_path / 'test_grouped.py').write_text(GROUPED)
    result = subprocess.run([
        sys.executable, '-m', 'pytest', '-n', '2', '--dist', 'loadgroup', '-p',
        'no:cacheprovider', 'test_grouped.py'
    ],
                            capture_output=True,
                            text=True,
                            cwd=str(tmp_path),
                            timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    lines = [
        line.split() for line in (tmp_path / 'log').read_text().split('\n')
        if line
    ]
    assert sum(what != 'setup' for what, _ in lines) == 8
    setups = [worker for what, worker in lines if what == 'setup']
    grouped = {worker for what, worker in lines if what == 'grouped'}
    # A pytest that drops the group (pytest-xdist#1386 with pytest 9.2)
    # spreads the tests and sets the fixture up on each worker.
    assert len(setups) == 1 and grouped == set(setups), lines


def test_free_port_ranges_are_disjoint_across_workers(monkeypatch):
    monkeypatch.setenv('PYTEST_XDIST_WORKER_COUNT', '2')
    ports = {}
    for worker in ('gw0', 'gw1'):
        monkeypatch.setenv('PYTEST_XDIST_WORKER', worker)
        ports[worker] = {helpers.free_port() for _ in range(20)}
        assert len(ports[worker]) == 20
    assert max(ports['gw0']) < min(ports['gw1'])
    # Below the ephemeral ports that the kernel hands out (32768 and up).
    assert max(ports['gw1']) < 32768


def test_free_port_skips_a_port_in_use(monkeypatch):
    monkeypatch.delenv('PYTEST_XDIST_WORKER_COUNT', raising=False)
    monkeypatch.delenv('PYTEST_XDIST_WORKER', raising=False)
    # Candidates in increasing order: the first free one is returned.
    monkeypatch.setattr(helpers._PORT_RANDOM, 'shuffle', lambda ports: None)
    with socket.socket() as taken:
        for port in helpers._PORTS:
            try:
                if port not in helpers._GIVEN_PORTS:
                    taken.bind(('127.0.0.1', port))
                    break
            except OSError:
                pass
        taken.listen()
        got = helpers.free_port()
    assert got > port
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', got))
