"""The config tree: every file loads from any directory and names files that
exist, the top-level aliases equal the configs they name, and the SAKD hook
is set by name from the command line."""
import argparse
import glob
import os.path as osp
import re

import pytest
from helpers import REPO_ROOT, make_teacher_checkpoint, tiny_cfg_options
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import mmsakd  # noqa: F401
from mmsakd.apis import add_train_time_hook
from mmsakd.engine.hooks import RandomStateHook, SAKDHook

CONFIG_ROOT = osp.join(REPO_ROOT, 'configs')
ALL_FILES = sorted(
    osp.relpath(path, REPO_ROOT)
    for path in glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'), recursive=True))
RUNNABLE = [c for c in ALL_FILES if '/_base_/' not in c]
ALIASES = {
    'configs/sakd_slowfast_ucf101.py': 'configs/kd/sakd_slowfast_ucf101.py',
    'configs/sakd_i5_slowfast_ucf101.py':
    'configs/kd/sakd_i5_slowfast_ucf101.py',
    'configs/kd_slowfast_ucf101.py': 'configs/kd/kd_slowfast_ucf101.py',
}
SAKD_TINY = 'configs/synthetic/sakd_slowfast_tiny_synthetic.py'
# Benchmark study files, not model configs (tests/test_benchmark/).
STUDIES = 'configs/studies/'
# Configs with custom hooks: the teacher-output store's and MultigridHook.
CUSTOM_HOOKS = ('configs/teacher_store/', 'configs/multigrid/')
# Configs whose SubsetSampler serves a MultigridBatchSampler.
MULTIGRID = 'configs/multigrid/'
# default_hooks key -> type of the hooks that need the SubsetSampler.
SUBSET_HOOKS = dict(
    sakd='SAKDHook',
    infobatch='InfoBatchHook',
    random_subset=('RandomSubsetHook', 'GroupSubsetHook'))


@pytest.mark.parametrize('config', ALL_FILES)
def test_every_file_loads_from_another_directory(config, tmp_path,
                                                 monkeypatch):
    # Nothing may depend on the current directory being the repository.
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    if '/_base_/' in config or config.startswith(STUDIES):
        return
    assert cfg.default_scope == 'mmsakd'
    # RandomStateHook comes once, from _base_/default_runtime.py; no config
    # registers hooks by position but the teacher-store and multigrid ones,
    # whose hooks are pinned in test_teacher_store_configs.py and
    # test_multigrid_configs.py.
    assert cfg.default_hooks.random_state == dict(type='RandomStateHook')
    assert ('custom_hooks' in cfg) == config.startswith(CUSTOM_HOOKS)
    model = cfg.model
    if model.type != 'SAKDDistiller':
        return
    # Every distillation run logs its training time, once
    # (_base_/distill/runtime.py).
    assert [
        key for key, hook in cfg.default_hooks.items()
        if hook is not None and hook.type == 'TrainTimeHook'
    ] == ['train_time']
    assert cfg.default_hooks.train_time == dict(type='TrainTimeHook')
    for role in ('student', 'teacher'):
        path = model[role].cfg_path
        assert osp.isabs(path) and osp.isfile(path), (role, path)
        # `{{ fileDirname }}` in a base file is that file's own folder.
        assert osp.dirname(osp.normpath(path)) == osp.join(
            CONFIG_ROOT, '_base_', 'models'), path
    # The hooks that train on a subset, each with the SubsetSampler.
    subset_hooks = [
        key for key in SUBSET_HOOKS if cfg.default_hooks.get(key) is not None
    ]
    assert len(subset_hooks) <= 1, subset_hooks
    assert bool(subset_hooks or config.startswith(MULTIGRID)) == (
        cfg.train_dataloader.sampler.type == 'SubsetSampler')
    for key in subset_hooks:
        assert cfg.default_hooks[key].type in SUBSET_HOOKS[key]
    sakd = cfg.default_hooks.get('sakd')
    if sakd is not None:
        assert sakd.interval == (5 if '/sakd_i5_' in f'/{config}' else 1)
    random_subset = cfg.default_hooks.get('random_subset')
    if random_subset is not None:
        assert random_subset.interval == (5 if '_i5_' in config else 1)
    # The loss is one of the shared kd_methods (_base_/distill/), unless a
    # config swaps the model pair and keeps the logit KD.
    assert model.kd_loss in list(cfg.kd_methods.values())


def test_a_readme_that_links_its_configs_links_them_all():
    # A folder README with a table of its configs has a row for each; the
    # others describe their configs by name pattern.
    folders = sorted({osp.dirname(c) for c in RUNNABLE if c.count('/') == 2})
    for folder in folders:
        with open(osp.join(REPO_ROOT, folder, 'README.md')) as f:
            text = f.read()
        names = sorted(
            osp.basename(c) for c in RUNNABLE if osp.dirname(c) == folder)
        linked = [name for name in names if f']({name})' in text]
        assert linked in ([], names), (folder,
                                       sorted(set(names) - set(linked)))


def test_benchmark_names_the_configs_train_time_hook():
    # The benchmark and the demo name the hook of the config, not a second
    # one (two would write every epoch twice to train_time.jsonl).
    cfg = Config.fromfile(osp.join(REPO_ROOT, SAKD_TINY))
    assert cfg.default_hooks.train_time == dict(type='TrainTimeHook')
    add_train_time_hook(cfg, run_name='sakd')
    hooks = [
        hook for hook in cfg.default_hooks.values()
        if hook is not None and hook.type == 'TrainTimeHook'
    ]
    assert hooks == [dict(type='TrainTimeHook', run_name='sakd')]
    # A name the config gives stays.
    cfg.default_hooks.train_time.run_name = 'mine'
    add_train_time_hook(cfg, run_name='sakd')
    assert cfg.default_hooks.train_time.run_name == 'mine'


def test_aliases_are_exactly_the_entry_points():
    top = sorted(
        osp.relpath(p, REPO_ROOT)
        for p in glob.glob(osp.join(CONFIG_ROOT, '*.py')))
    assert top == sorted(ALIASES)


@pytest.mark.parametrize('alias, target', sorted(ALIASES.items()))
def test_alias_resolves_to_the_config_it_names(alias, target):
    with open(osp.join(REPO_ROOT, alias)) as f:
        lines = f.read().splitlines()
    # A one-line comment and the `_base_` line.
    assert len(lines) == 2 and lines[0].startswith('# ')
    named = re.fullmatch(r"_base_ = \['\./(.+)'\]", lines[1]).group(1)
    assert f'configs/{named}' == target
    assert osp.isfile(osp.join(REPO_ROOT, target))
    assert (Config.fromfile(osp.join(REPO_ROOT,
                                     alias)).to_dict() == Config.fromfile(
                                         osp.join(REPO_ROOT,
                                                  target)).to_dict())


def _cli_cfg(config, argv):
    """``config`` with ``--cfg-options`` parsed as tools/train.py does."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.merge_from_dict(parser.parse_args(argv).cfg_options)
    return cfg


def test_cfg_option_by_name_reaches_the_built_sakd_hook(
        tiny_data_root, tmp_path):
    options = tiny_cfg_options(tiny_data_root, max_epochs=1)
    options.update({
        'model.teacher_ckpt':
        make_teacher_checkpoint(str(tmp_path / 'teacher.pth')),
        'work_dir':
        str(tmp_path / 'work'),
        'default_hooks.sakd.score_batch_size':
        8,
    })
    argv = ['--cfg-options', 'default_hooks.sakd.ratio=0.3'
            ] + [f'{k}={v}' for k, v in options.items()]
    cfg = _cli_cfg(SAKD_TINY, argv)
    assert Config.fromfile(osp.join(REPO_ROOT,
                                    SAKD_TINY)).default_hooks.sakd.ratio == 0.1
    runner = Runner.from_cfg(cfg)
    sakd = [h for h in runner.hooks if isinstance(h, SAKDHook)]
    assert len(sakd) == 1
    assert sum(isinstance(h, RandomStateHook) for h in runner.hooks) == 1
    runner.train()
    # The hook selected ceil(0.3 * 24) = 8 clips, not the config's
    # ceil(0.1 * 24) = 3: two batches of 4.
    num_train = len(runner.train_dataloader.dataset)
    assert num_train == 24
    assert len(sakd[0].subset) == 8
    assert runner.train_loop.iter == 2
