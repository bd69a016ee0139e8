"""What the train and test entry points share: the work directory's
default and the run of the Runner."""
import os.path as osp
from types import SimpleNamespace

import pytest
from mmengine.config import Config

from mmsakd.tools import entry_point


def test_set_work_dir_prefers_option_then_config_then_file_name():
    cfg = Config(dict(work_dir='from_config'))
    entry_point.set_work_dir(cfg, 'from_option', 'configs/kd/kd_x.py')
    assert cfg.work_dir == 'from_option'
    cfg = Config(dict(work_dir='from_config'))
    entry_point.set_work_dir(cfg, None, 'configs/kd/kd_x.py')
    assert cfg.work_dir == 'from_config'
    cfg = Config(dict(work_dir=None))
    entry_point.set_work_dir(cfg, None, 'configs/kd/kd_x.py')
    assert cfg.work_dir == osp.join('./work_dirs', 'kd_x')


class _Runner:

    def __init__(self, cfg, error=None):
        self.cfg, self.error, self.calls, self.logged = cfg, error, [], []
        self.logger = SimpleNamespace(error=self.logged.append)

    def train(self):
        self.calls.append('train')
        if self.error is not None:
            raise self.error

    def test(self):
        self.calls.append('test')


@pytest.mark.parametrize('mode', ['train', 'test'])
def test_run_merges_builds_and_calls_the_mode(tmp_path, monkeypatch, mode):
    config = tmp_path / 'cfg.py'
    config.write_text('value = 1\n')
    runners = []

    def build(cfg):
        runners.append(_Runner(cfg))
        return runners[-1]

    def merge(cfg, args):
        cfg.value += args.extra
        return cfg

    def parse(argv):
        return SimpleNamespace(config=argv[0], extra=int(argv[1]))

    monkeypatch.setattr(entry_point, 'build_runner', build)
    entry_point.run([str(config), '2'], parse, merge, mode)
    assert runners[0].cfg.value == 3
    assert runners[0].calls == [mode]


def test_run_logs_the_error_that_ends_it(tmp_path, monkeypatch):
    config = tmp_path / 'cfg.py'
    config.write_text('value = 1\n')
    runner = _Runner(None, RuntimeError('no clip'))
    monkeypatch.setattr(entry_point, 'build_runner', lambda cfg: runner)
    with pytest.raises(RuntimeError, match='no clip'):
        entry_point.run([str(config)],
                        lambda argv: SimpleNamespace(config=argv[0]),
                        lambda cfg, args: cfg, 'train')
    assert runner.logged == ['The run stopped: RuntimeError: no clip']
