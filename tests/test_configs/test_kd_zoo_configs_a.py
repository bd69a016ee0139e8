"""One training epoch of each DKD / CTKD / CrossKD config on tiny data,
through tools/train.py's ``main`` in the test process (the script's own
process is tested in tests/test_tools/test_train.py)."""
import os.path as osp

import pytest
from helpers import make_teacher_checkpoint, tiny_cfg_options, train_in_process

METHODS = ('dkd', 'ctkd', 'crosskd')
CONFIGS = [
    f'configs/synthetic/{prefix}{method}_slowfast_tiny_synthetic.py'
    for method in METHODS for prefix in ('', 'sakd_')
]


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    return make_teacher_checkpoint(
        str(tmp_path_factory.mktemp('teacher') / 'teacher.pth'))


@pytest.mark.parametrize('config', CONFIGS)
def test_trains_one_epoch(config, tiny_data_root, teacher_ckpt, tmp_path):
    options = tiny_cfg_options(tiny_data_root, max_epochs=1)
    options['model.teacher_ckpt'] = teacher_ckpt
    if osp.basename(config).startswith('sakd_'):
        options.update({
            'default_hooks.sakd.score_batch_size': 8,
            'default_hooks.sakd.ratio': 0.25,
        })
    # Stdout and stderr: the console log.
    log = train_in_process(config, tmp_path, options, '--seed', '0').output
    loss_type = {
        'dkd': 'DKDLoss',
        'ctkd': 'CTKDLoss',
        'crosskd': 'CrossKDLoss'
    }[osp.basename(config).split('_')[-4]]
    # The config's loss was built and trained: a finite, positive KD term.
    assert f"type='{loss_type}'" in log
    kd_values = [
        float(part.split(':')[1]) for line in log.splitlines()
        if 'Epoch(train)' in line for part in line.split('  ')
        if part.strip().startswith('kd_raw:')
    ]
    assert kd_values and all(0 < value < float('inf') for value in kd_values)
    assert osp.isfile(osp.join(tmp_path, 'epoch_1.pth'))
