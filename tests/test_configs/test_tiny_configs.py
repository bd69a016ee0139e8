"""The tiny synthetic configs of configs/synthetic/ that no other test
trains: the SAKD configs of the TPN and Video Swin pairs train one epoch;
the others build with a Runner and take one training step."""
import os.path as osp

import pytest
import torch
from helpers import REPO_ROOT, make_teacher_checkpoint, tiny_cfg_options
from mmengine.config import Config
from mmengine.runner import Runner

import mmsakd  # noqa: F401
from mmsakd.engine.hooks import SAKDHook

TRAINED = [
    f'configs/synthetic/sakd_{family}_tiny_synthetic.py'
    for family in ('tpn', 'swin')
]
STEPPED = [
    'configs/synthetic/frame2d_single_frame_synthetic.py',
    'configs/synthetic/sakd_i5_slowfast_tiny_synthetic.py',
] + [
    f'configs/synthetic/{name}_{family}_tiny_synthetic.py'
    for family in ('tpn', 'swin') for name in ('kd', 'sakd_i5')
] + [
    f'configs/synthetic/{family}_tiny_{role}_synthetic.py'
    for family in ('tpn', 'swin') for role in ('teacher', 'student')
]
CONFIGS = TRAINED + STEPPED


def _family(config):
    return next(f for f in ('tpn', 'swin', 'slowfast') if f'_{f}_' in config)


def _tiny_cfg(config, data_root, tmp_path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.merge_from_dict(tiny_cfg_options(data_root, max_epochs=1))
    if cfg.model.type == 'SAKDDistiller':
        cfg.model.teacher_ckpt = make_teacher_checkpoint(
            str(tmp_path / 'teacher.pth'),
            config=f'configs/_base_/models/{_family(config)}_tiny_teacher.py')
    if 'sakd' in cfg.default_hooks:
        cfg.default_hooks.sakd.update(score_batch_size=8, ratio=0.25)
    cfg.work_dir = str(tmp_path / 'work')
    return cfg


@pytest.mark.parametrize('config', TRAINED)
def test_sakd_config_trains_one_epoch(config, tiny_data_root, tmp_path):
    cfg = _tiny_cfg(config, tiny_data_root, tmp_path)
    runner = Runner.from_cfg(cfg)
    student_before = {
        k: v.clone()
        for k, v in runner.model.student.state_dict().items()
    }
    runner.train()
    assert runner.train_loop.iter == 2  # 6 of 24 clips, batches of 4
    after = runner.model.student.state_dict()
    changed = [
        k for k, v in student_before.items()
        if v.is_floating_point() and not torch.equal(v, after[k])
    ]
    assert changed
    assert osp.isfile(osp.join(cfg.work_dir, 'sakd_rounds.jsonl'))


@pytest.mark.parametrize('config', STEPPED)
def test_config_builds_and_takes_a_step(config, tiny_data_root, tmp_path):
    cfg = _tiny_cfg(config, tiny_data_root, tmp_path)
    runner = Runner.from_cfg(cfg)
    sakd = [h for h in runner.hooks if isinstance(h, SAKDHook)]
    if 'sakd_i5_' in config:
        # "Ours*": the SAKD hook with one round every 5 epochs.
        assert [h.schedule.interval for h in sakd] == [5]
    else:
        assert not sakd
    optim_wrapper = runner.build_optim_wrapper(cfg.optim_wrapper)
    batch = next(iter(runner.train_dataloader))
    losses = runner.model.train_step(batch, optim_wrapper)
    assert losses and torch.isfinite(sum(losses.values()))
