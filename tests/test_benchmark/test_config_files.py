"""Config paths of studies and the key of a run's settings: places never
change the key, settings always do, and the data paths count where no
regime's data settings stand for them."""
import os.path as osp

import pytest
from helpers import REPO_ROOT
from mmengine.config import Config

from mmsakd.benchmark import fingerprint, resolve_config
from mmsakd.datasets.synthetic import SyntheticActionConfig

KD = 'synthetic/kd_slowfast_tiny_synthetic.py'


def test_resolve_config(tmp_path, monkeypatch):
    assert resolve_config(f'mmsakd::{KD}') == osp.join(REPO_ROOT, 'configs',
                                                       KD)
    (tmp_path / 'a.py').write_text('x = 1\n')
    assert resolve_config('a.py', str(tmp_path)) == str(tmp_path / 'a.py')
    assert resolve_config(str(tmp_path / 'a.py'),
                          '/elsewhere') == str(tmp_path / 'a.py')
    monkeypatch.chdir(tmp_path)
    assert resolve_config('a.py') == str(tmp_path / 'a.py')
    with pytest.raises(FileNotFoundError, match='b.py'):
        resolve_config('b.py')
    with pytest.raises(FileNotFoundError, match='none.py'):
        resolve_config('mmsakd::synthetic/none.py')
    with pytest.raises(ValueError, match='config'):
        resolve_config('')


def _cfg():
    return Config.fromfile(osp.join(REPO_ROOT, 'configs', KD))


def test_fingerprint_ignores_places_not_settings():
    data = [SyntheticActionConfig(num_train=24)]
    cfg = _cfg()
    key = fingerprint(cfg, data)
    assert len(key) == 12 and int(key, 16) >= 0
    moved = _cfg()
    moved.work_dir = '/elsewhere/run'
    moved.resume = True
    moved.model.teacher_ckpt = '/elsewhere/' + osp.basename(
        cfg.model.teacher_ckpt)
    moved.train_dataloader.dataset.ann_file = '/elsewhere/train.txt'
    assert fingerprint(moved, data) == key
    assert fingerprint(cfg, [SyntheticActionConfig(num_train=25)]) != key
    changed = _cfg()
    changed.train_cfg.max_epochs += 1
    assert fingerprint(changed, data) != key


def test_fingerprint_of_a_users_run_keeps_its_data_paths():
    cfg = _cfg()
    key = fingerprint(cfg)
    assert fingerprint(cfg, []) != key  # the paths count only here
    moved = _cfg()
    moved.work_dir = '/elsewhere/run'
    assert fingerprint(moved) == key
    other = _cfg()
    other.train_dataloader.dataset.ann_file = '/other/train.txt'
    assert fingerprint(other) != key
