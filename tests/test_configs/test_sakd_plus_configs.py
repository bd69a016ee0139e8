"""The SAKD+ presets of configs/sakd_plus/: each is its paper or tiny SAKD
config with only the options beyond the paper changed, and the tiny ones
train through the Runner with every lever on."""
import copy
import os.path as osp

import pytest
import torch
from helpers import REPO_ROOT, make_teacher_checkpoint, tiny_cfg_options
from mmengine.config import Config
from mmengine.runner import Runner

import mmsakd  # noqa: F401
from mmsakd.engine.hooks import SAKDHook

FAMILIES = ('slowfast', 'tpn', 'swin')
PAPER = [(f'configs/sakd_plus/sakd_plus_{family}_{dataset}.py',
          f'configs/kd/sakd_{family}_{dataset}.py') for family in FAMILIES
         for dataset in ('ucf101', 'kinetics400')]
TINY = [(f'configs/sakd_plus/sakd_plus_{family}_tiny_synthetic.py',
         f'configs/synthetic/sakd_{family}_tiny_synthetic.py')
        for family in FAMILIES]
CONFIGS = [preset for preset, _ in PAPER + TINY]
BASE = Config.fromfile(
    osp.join(REPO_ROOT, 'configs/_base_/distill/sakd_plus.py'))
PLUS = BASE.sakd_plus_hook


def _merged(hook, preset):
    """``hook`` with ``preset`` merged in, as a config merges them: a
    component marked ``_delete_`` replaces the hook's."""
    merged = copy.deepcopy(dict(hook))
    for key, value in preset.items():
        if isinstance(value, dict):
            value = dict(value)
            if value.pop('_delete_', False):
                merged[key] = value
            else:
                merged[key] = dict(merged.get(key, {}), **value)
        else:
            merged[key] = value
    return merged


def _load(path):
    return Config.fromfile(osp.join(REPO_ROOT, path))


def _split(cfg):
    """The config without what a preset changes, and what it changes."""
    cfg = copy.deepcopy(cfg.to_dict())
    changed = dict(
        hook=cfg['default_hooks'].pop('sakd'),
        cache=cfg['model'].pop('teacher_cache', None))
    for key in tuple(k for k in cfg if k.startswith('sakd_plus_hook')):
        cfg.pop(key, None)
    return cfg, changed


@pytest.mark.parametrize('preset, paper', PAPER + TINY)
def test_preset_changes_only_the_options_beyond_the_paper(preset, paper):
    preset_cfg, paper_cfg = _load(preset), _load(paper)
    rest, changed = _split(preset_cfg)
    paper_rest, paper_changed = _split(paper_cfg)
    assert rest == paper_rest
    epochs = preset_cfg.train_cfg.max_epochs
    # Warm-up and annealing: 1 of the 10 tiny epochs, about 1/15 of the
    # paper's schedule.
    expected_hook = _merged(paper_changed['hook'], PLUS)
    if preset in dict(PAPER):
        expected_hook.update(
            warmup_epochs=round(epochs / 15), anneal_epochs=round(epochs / 15))
        # The preset's other settings, whatever the schedule.
        scaled = BASE[f'sakd_plus_hook_{epochs}e']
        assert dict(scaled, warmup_epochs=1, anneal_epochs=1) == PLUS
    assert changed['hook'] == expected_hook
    # A random subset weighted by Eq. 6, on the paper's schedule.
    assert changed['hook']['selector'] == dict(type='RandomSelector')
    assert changed['hook']['alpha_min'] == 0
    # The cache only where the training pipeline is deterministic.
    assert changed['cache'] is (True if preset in dict(TINY) else None)
    SAKDHook(**{k: v for k, v in changed['hook'].items() if k != 'type'})


@pytest.mark.parametrize('preset', [p for p, _ in TINY])
def test_tiny_preset_trains(preset, tiny_data_root, tmp_path):
    cfg = _load(preset)
    cfg.merge_from_dict(tiny_cfg_options(tiny_data_root, max_epochs=4))
    cfg.param_scheduler[0].update(T_max=4, end=4)
    family = next(f for f in FAMILIES if f'_{f}_' in preset)
    cfg.model.teacher_ckpt = make_teacher_checkpoint(
        str(tmp_path / 'teacher.pth'),
        config=f'configs/_base_/models/{family}_tiny_teacher.py')
    cfg.default_hooks.sakd.update(score_batch_size=8, ratio=0.25)
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()
    hook = next(h for h in runner.hooks if isinstance(h, SAKDHook))
    # Warm-up and annealing on all 24 clips (6 batches of 4), two rounds on
    # 6 clips (2 batches each).
    assert hook.planned_iters(runner) == [6, 2, 2, 6]
    assert runner.iter == 16 and hook.rounds == 2
    # The teacher ran once per clip: everything else came from the cache.
    cache = runner.model.teacher_cache
    assert len(cache) == 24 and cache.misses == 24
    assert cache.hits == 24 + 6 + 6 + 24 - 24
    # The distiller trains with Eq. 6's strengths, unfloored.
    assert torch.equal(runner.model.sample_alpha, hook.alpha)
    assert torch.isfinite(hook.alpha).all()
