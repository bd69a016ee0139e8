"""Each feature-KD zoo config (feature KD, DualKD, GKD; vanilla and SAKD)
trains one epoch on the tiny synthetic data through tools/train.py's
``main`` in the test process (the script's own process is tested in
tests/test_tools/test_train.py)."""
import math
import os.path as osp
import re

import pytest
import torch
from helpers import make_teacher_checkpoint, tiny_cfg_options, train_in_process

METHODS = {
    'fkd': 'connectors',
    'dualkd': 'connectors',
    'gkd': 'encoders',
}
CONFIGS = [(f'synthetic/{prefix}{method}_slowfast_tiny_synthetic.py', method)
           for method in METHODS for prefix in ('', 'sakd_')]


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    return make_teacher_checkpoint(
        str(tmp_path_factory.mktemp('teacher') / 'teacher.pth'))


@pytest.mark.parametrize('config, method', CONFIGS)
def test_config_trains_one_epoch(config, method, tiny_data_root, teacher_ckpt,
                                 tmp_path):
    options = tiny_cfg_options(tiny_data_root, max_epochs=1)
    options['model.teacher_ckpt'] = teacher_ckpt
    sakd = osp.basename(config).startswith('sakd_')
    if sakd:
        options.update({
            'default_hooks.sakd.score_batch_size': 8,
            'default_hooks.sakd.ratio': 0.25,
        })
    work_dir = tmp_path / 'work'
    log = train_in_process(
        osp.join('configs', config), work_dir, options, '--seed', '0').output
    # SAKD trains on 6 of 24 clips (2 batches of 4), vanilla KD on all 24.
    assert f'Epoch(train) [1][{2 if sakd else 6}/{2 if sakd else 6}]' in log
    assert osp.isfile(work_dir / 'epoch_1.pth')
    assert osp.isfile(work_dir / 'sakd_rounds.jsonl') == sakd
    state = torch.load(
        work_dir / 'epoch_1.pth', weights_only=False)['state_dict']
    # The loss's trainable parts are checkpointed with the student.
    assert any(k.startswith(f'kd_loss.{METHODS[method]}.') for k in state)
    if method == 'dualkd':
        assert any(k.startswith('kd_loss.ema_head.') for k in state)
    assert not any(k.startswith('teacher.') for k in state)
    # Every logged unweighted KD loss is finite and positive.
    kd_raw = re.findall(r'kd_raw: (\S+)', log)
    assert kd_raw and all(
        math.isfinite(float(v)) and float(v) > 0 for v in kd_raw), kd_raw
