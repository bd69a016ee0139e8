import glob
import os.path as osp

import pytest
import torch
from helpers import REPO_ROOT, make_teacher_checkpoint, tiny_cfg_options
from mmengine.config import Config
from mmengine.runner import Runner

import mmsakd  # noqa: F401

CONFIGS = sorted(
    osp.relpath(path, REPO_ROOT) for path in glob.glob(
        osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in path)


@pytest.mark.parametrize('config', CONFIGS)
def test_config_parses_and_names_existing_files(config):
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    assert cfg.default_scope == 'mmsakd'
    model = cfg.model
    if model.type == 'SAKDDistiller':
        for role in ('student', 'teacher'):
            assert osp.isfile(osp.join(REPO_ROOT, model[role].cfg_path))
        hooks = [h.type for h in cfg.get('custom_hooks', [])]
        sampler = cfg.train_dataloader.sampler.type
        assert ('SAKDHook' in hooks) == (sampler == 'SubsetSampler')


@pytest.mark.parametrize('family', ['tpn', 'swin'])
def test_sakd_config_trains_one_epoch(family, tiny_data_root, tmp_path):
    teacher = make_teacher_checkpoint(
        str(tmp_path / 'teacher.pth'),
        config=f'configs/_base_/models/{family}_tiny_teacher.py')
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, f'configs/sakd_{family}_tiny_synthetic.py'))
    cfg.merge_from_dict(tiny_cfg_options(tiny_data_root, max_epochs=1))
    cfg.model.teacher_ckpt = teacher
    cfg.custom_hooks[1].update(score_batch_size=8, ratio=0.25)
    cfg.work_dir = str(tmp_path / 'work')
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
