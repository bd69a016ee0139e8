"""The paper configs (Tables III and IV): every file loads with the paper's
settings, builds with its full-size models and trains on tiny inputs.

Tiny inputs go through cfg-options-style overrides (``merge_from_dict``):
8 frames of 32x32 from the session's tiny synthetic dataset (the first 8
of its training clips where a group trains), batches of 2, no workers, no
checkpoint loading or downloads (``teacher_ckpt=None`` with
``untrained_teacher=True``, ``student_ckpt=None``, ``pretrained=None``,
``load_from=None``; a download fails the test).

What runs, to stay within the suite's time budget on 2 CPU cores (a full
SlowFast R101 + R50 pair takes about 2.5 s to build and 1 s per step):

- every config: loaded and checked against the paper's settings;
- each (model, dataset) group of 21 distillation configs (24 on UCF101,
  with the InfoBatch baseline ``infobatch_kd_<model>_ucf101.py`` and the
  random-subset controls ``random_subset_kd[_i5]_<model>_ucf101.py``): the
  group's ``sakd_<model>_<dataset>.py`` is built by a Runner (full
  distiller and SAKDHook) and trains one epoch (a scoring round over 8
  clips in 2 batches, then a subset of 4); every other config of the group
  must differ from it only in ``model.kd_loss`` and the hook/sampler, so
  its distiller is that distiller with its own loss: its loss and hooks are
  built from the config and one loss step (forward and backward) runs per
  distinct loss; the InfoBatch and random-subset hooks must accept the
  config's schedulers;
- every teacher and student config: built by a Runner and one
  ``train_step`` on one batch.
"""
import copy
import glob
import importlib.util
import os
import os.path as osp
import re
from types import SimpleNamespace

import pytest
import torch
from helpers import REPO_ROOT, tiny_cfg_options, unformatted
from mmengine.config import Config
from mmengine.runner import Runner
from mmengine.runner import checkpoint as mmengine_checkpoint

import mmsakd  # noqa: F401
from mmsakd.registry import HOOKS, MODELS

MODELS_ = ('slowfast', 'tpn', 'swin')
DATASETS = ('ucf101', 'kinetics400')
METHODS = ('kd', 'dkd', 'ctkd', 'crosskd', 'fkd', 'dualkd', 'gkd')
LOSS_TYPES = dict(
    kd='KDLoss',
    dkd='DKDLoss',
    ctkd='CTKDLoss',
    crosskd='CrossKDLoss',
    fkd='FeatureKDLoss',
    dualkd='DualKDLoss',
    gkd='GKDLoss')
PAIRS = dict(
    slowfast=('slowfast_r50', 'slowfast_r101'),
    tpn=('tpn_r50', 'tpn_r101'),
    swin=('swin_t', 'swin_s'))
# Table II: (student batch, scoring batch, epochs), totals over 4 GPUs.
TABLE_II = {
    ('slowfast', 'ucf101'): (32, 96, 50),
    ('slowfast', 'kinetics400'): (48, 128, 200),
    ('tpn', 'ucf101'): (4, 24, 50),
    ('tpn', 'kinetics400'): (4, 24, 200),  # not in the paper
    ('swin', 'ucf101'): (4, 24, 100),
    ('swin', 'kinetics400'): (8, 48, 200),
}
NUM_GPUS = 4
#: SAKDHook options beyond the paper, off by default and in paper configs.
BEYOND_PAPER = {
    'warmup_epochs', 'anneal_epochs', 'alpha_min', 'ratio_end', 'ratio_shape'
}
FRAMES = dict(ucf101=(32, 2, 101), kinetics400=(16, 4, 400))


def distill_configs(model, dataset):
    """(path, method, variant) of the 21 distillation configs of a group
    and, on UCF101, of the InfoBatch baseline and the random-subset
    controls with KD (docs/method.md#baselines-for-the-benchmark), and for
    the SlowFast pair the group-spread control."""
    configs = []
    for method in METHODS:
        short = '' if method == 'kd' else f'{method}_'
        configs += [
            (f'configs/{method}/{method}_{model}_{dataset}.py', method,
             'vanilla'),
            (f'configs/{method}/sakd_{short}{model}_{dataset}.py', method,
             'sakd'),
            (f'configs/{method}/sakd_i5_{short}{model}_{dataset}.py', method,
             'sakd_i5'),
        ]
    if dataset == 'ucf101':
        configs.append((f'configs/kd/infobatch_kd_{model}_{dataset}.py', 'kd',
                        'infobatch'))
        for i5 in ('', '_i5'):
            configs.append(
                (f'configs/kd/random_subset_kd{i5}_{model}_{dataset}.py', 'kd',
                 f'random_subset{i5}'))
        if model == 'slowfast':
            configs.append((f'configs/kd/group_subset_kd_{model}_{dataset}.py',
                            'kd', 'group_subset'))
    return configs


DISTILL = [
    item for model in MODELS_ for dataset in DATASETS
    for item in distill_configs(model, dataset)
]
SINGLE = [(f'configs/{role}s/{PAIRS[model][i]}_{dataset}_{role}.py', model,
           dataset, role) for model in MODELS_ for dataset in DATASETS
          for i, role in enumerate(('student', 'teacher'))]
PAPER_CONFIGS = [path for path, _, _ in DISTILL] + [s[0] for s in SINGLE]


def _load(path):
    return Config.fromfile(osp.join(REPO_ROOT, path))


def _pipeline_options(cfg):
    """Tiny clips: 8 frames of 32x32, one view."""
    options = {}
    for split in ('train', 'val', 'test'):
        pipeline = cfg[f'{split}_dataloader'].dataset.pipeline
        prefix = f'{split}_dataloader.dataset.pipeline'
        for i, step in enumerate(pipeline):
            if step.type == 'SampleFrames':
                options.update({
                    f'{prefix}.{i}.clip_len': 8,
                    f'{prefix}.{i}.frame_interval': 1,
                    f'{prefix}.{i}.num_clips': 1,
                })
            elif step.type == 'Resize':
                options[f'{prefix}.{i}.scale'] = ((-1, 32) if step.scale[0]
                                                  == -1 else (32, 32))
            elif step.type in ('CenterCrop', 'ThreeCrop'):
                options[f'{prefix}.{i}.crop_size'] = 32
    return options


def tiny_options(cfg, data_root, work_dir):
    options = tiny_cfg_options(data_root, max_epochs=1, batch_size=2)
    for key in ('param_scheduler.0.T_max', 'param_scheduler.0.end'):
        options.pop(key)
    options.update(_pipeline_options(cfg))
    options.update({
        'work_dir': work_dir,
        'load_from': None,
        'train_cfg.val_begin': 2,  # no validation
        'default_hooks.checkpoint': None,
    })
    if cfg.model.type == 'SAKDDistiller':
        options.update({
            'model.teacher_ckpt': None,
            'model.untrained_teacher': True,
            'model.student_ckpt': None,
        })
        for role in ('student', 'teacher'):
            options[f'model.{role}.backbone.pretrained'] = None
            if 'pretrained2d' in cfg.model[role].get('backbone', {}):
                options[f'model.{role}.backbone.pretrained2d'] = False
        if 'sakd' in cfg.default_hooks:
            options['default_hooks.sakd.score_batch_size'] = 4
            # 4 of the 8 clips of `group_data_root`: two full batches (a
            # batch of one clip fails BatchNorm on the 1x1x1 maps of 32x32
            # inputs).
            options['default_hooks.sakd.ratio'] = 0.5
    else:
        options['model.backbone.pretrained'] = None
        if 'pretrained2d' in cfg.model.backbone:
            options['model.backbone.pretrained2d'] = False
    return options


@pytest.fixture(autouse=True)
def no_downloads(monkeypatch):
    """Fail on any checkpoint download (``http(s)://``, ``torchvision://``,
    ``openmmlab://``...): the tiny overrides must switch them all off."""

    def refuse(url, *args, **kwargs):
        raise AssertionError(f'a paper config test tried to download {url}')

    monkeypatch.setattr(mmengine_checkpoint, 'load_url', refuse)
    monkeypatch.setattr(torch.hub, 'load_state_dict_from_url', refuse)
    monkeypatch.setattr(torch.hub, 'download_url_to_file', refuse)


@pytest.fixture(scope='module')
def group_data_root(tiny_data_root, tmp_path_factory):
    """The first 8 training clips of the tiny dataset and its validation
    list: a group's scoring round runs the full-size pair on 8 clips."""
    root = tmp_path_factory.mktemp('paper_data')
    with open(osp.join(tiny_data_root, 'train.txt')) as f:
        lines = f.read().splitlines()[:8]
    (root / 'train.txt').write_text('\n'.join(lines) + '\n')
    for name in ('val.txt', 'videos'):
        os.symlink(osp.join(tiny_data_root, name), root / name)
    return str(root)


def tiny_cfg(path, data_root, work_dir):
    cfg = unformatted(_load(path))
    cfg.merge_from_dict(tiny_options(cfg, data_root, work_dir))
    return cfg


@pytest.mark.parametrize('config', PAPER_CONFIGS)
def test_paper_settings(config):
    cfg = _load(config)
    name = osp.basename(config)[:-3]
    model, dataset = re.search(
        r'(slowfast|tpn|swin)_r?\w*?_?'
        r'(ucf101|kinetics400)', name).groups()
    train_bs, score_bs, epochs = TABLE_II[(model, dataset)]
    clip_len, interval, num_classes = FRAMES[dataset]
    assert cfg.default_scope == 'mmsakd'
    assert cfg.optim_wrapper.optimizer == dict(
        type='SGD', lr=1e-2, momentum=0.9, weight_decay=1e-4)
    assert cfg.train_cfg.max_epochs == epochs
    assert all(
        s.by_epoch and not s.get('convert_to_iter_based', False)
        for s in cfg.param_scheduler)
    assert cfg.train_dataloader.batch_size * NUM_GPUS == train_bs
    for split in ('train', 'val', 'test'):
        dataset_cfg = cfg[f'{split}_dataloader'].dataset
        assert dataset_cfg.type == 'VideoDataset'
        assert f'data/{dataset}/' in dataset_cfg.ann_file
        sample = [s for s in dataset_cfg.pipeline if s.type == 'SampleFrames']
        assert (sample[0].clip_len, sample[0].frame_interval) == (clip_len,
                                                                  interval)
        assert 'sample_idx' in dataset_cfg.pipeline[-1].meta_keys
    if cfg.model.type != 'SAKDDistiller':
        assert cfg.model.cls_head.num_classes == num_classes
        if config.startswith('configs/students/') and dataset == 'ucf101':
            # Student alone and distilled student start from the same
            # Kinetics-400 weights.
            distilled = _load(f'configs/kd/sakd_{model}_{dataset}.py')
            assert cfg.load_from == distilled.model.student_ckpt
        return
    method = next(m for p, m, _ in DISTILL if p == config)
    variant = next(v for p, _, v in DISTILL if p == config)
    assert cfg.model.kd_loss.type == LOSS_TYPES[method]
    assert cfg.model.alpha == 0.5
    # Paper Sec. IV-B: UCF101 students start from MMAction2's Kinetics-400
    # release; Kinetics-400 students from their backbone's initialisation.
    student_ckpt = cfg.model.get('student_ckpt')
    if dataset == 'ucf101':
        assert student_ckpt.startswith(
            'https://download.openmmlab.com/mmaction/v1.0/recognition/')
        assert 'kinetics400' in student_ckpt
    else:
        assert student_ckpt is None
    student, teacher = PAIRS[model]
    assert cfg.model.student.cfg_path.endswith(f'{student}_student.py')
    assert cfg.model.teacher.cfg_path.endswith(f'{teacher}_teacher.py')
    assert cfg.model.student.cls_head.num_classes == num_classes
    assert cfg.model.teacher.cls_head.num_classes == num_classes
    # The paper's method: none of the options beyond it
    # (docs/method.md#beyond-the-paper).
    assert not cfg.model.get('teacher_cache')
    hook = cfg.default_hooks.get('sakd')
    sampler = cfg.train_dataloader.sampler.type
    if variant == 'vanilla':
        assert hook is None and sampler == 'DefaultSampler'
        return
    if variant == 'infobatch':
        _check_infobatch(config, cfg)
        return
    if variant.startswith('random_subset'):
        _check_random_subset(config, cfg, variant)
        return
    if variant == 'group_subset':
        _check_group_subset(config, cfg)
        return
    assert sampler == 'SubsetSampler' and hook.type == 'SAKDHook'
    assert not set(hook) & BEYOND_PAPER, sorted(set(hook) & BEYOND_PAPER)
    assert (hook.ratio, hook.lam, hook.scorer.eta,
            hook.selector.gamma) == (0.1, 0.5, 0.5, 0.5)
    assert hook.candidates == dict(type='AllSamples')
    assert (hook.selector.type, hook.selector.criterion) == ('DPPSelector',
                                                             'easiness')
    assert hook.interval == (5 if variant == 'sakd_i5' else 1)
    assert hook.scorer.batch_size * NUM_GPUS == score_bs


def _check_infobatch(config, cfg):
    """The vanilla KD config of the group with the SubsetSampler and the
    InfoBatch hook at the settings of Qin et al., which accepts the
    schedule."""
    vanilla = _load(config.replace('/infobatch_kd_', '/kd_')).to_dict()
    this = cfg.to_dict()
    hook = this['default_hooks'].pop('infobatch')
    assert hook == dict(type='InfoBatchHook', prune_ratio=0.5, delta=0.875)
    assert this['train_dataloader'].pop('sampler') == dict(
        type='SubsetSampler', shuffle=True)
    vanilla['train_dataloader'].pop('sampler')
    assert this == vanilla
    built = HOOKS.build(copy.deepcopy(cfg.default_hooks.infobatch))
    # Its schedulers are by epoch: before_run accepts them.
    built.before_run(SimpleNamespace(cfg=cfg))
    assert built.seed == cfg.randomness.seed
    iter_based = copy.deepcopy(cfg)
    iter_based.param_scheduler[0].convert_to_iter_based = True
    with pytest.raises(ValueError, match='convert_to_iter_based'):
        HOOKS.build(copy.deepcopy(cfg.default_hooks.infobatch)).before_run(
            SimpleNamespace(cfg=iter_based))


def _check_random_subset(config, cfg, variant):
    """The vanilla KD config of the group with the SubsetSampler and a
    random subset of SAKD's size, redrawn as often as SAKD selects (every
    epoch, or every 5 for the "Ours*" control); the hook accepts the
    schedule."""
    pair = re.search(r'_kd_(?:i5_)?(\w+)\.py$', config).group(1)
    i5 = 'i5_' if variant == 'random_subset_i5' else ''
    vanilla = _load(f'configs/kd/kd_{pair}.py').to_dict()
    sakd = _load(f'configs/kd/sakd_{i5}{pair}.py').default_hooks.sakd
    this = cfg.to_dict()
    hook = this['default_hooks'].pop('random_subset')
    assert hook == dict(
        type='RandomSubsetHook', ratio=sakd.ratio, interval=sakd.interval)
    assert hook['interval'] == (5 if i5 else 1)
    assert this['train_dataloader'].pop('sampler') == dict(
        type='SubsetSampler', shuffle=True)
    vanilla['train_dataloader'].pop('sampler')
    assert this == vanilla
    built = HOOKS.build(copy.deepcopy(cfg.default_hooks.random_subset))
    built.before_run(SimpleNamespace(cfg=cfg))
    assert built.seed == cfg.randomness.seed
    iter_based = copy.deepcopy(cfg)
    iter_based.param_scheduler[0].convert_to_iter_based = True
    with pytest.raises(ValueError, match='convert_to_iter_based'):
        HOOKS.build(copy.deepcopy(cfg.default_hooks.random_subset)).before_run(
            SimpleNamespace(cfg=iter_based))


def _check_group_subset(config, cfg):
    """The random-subset control of the pair with its hook swapped for
    GroupSubsetHook at the same ratio and interval."""
    random = _load(config.replace('/group_subset_kd_',
                                  '/random_subset_kd_')).to_dict()
    this = cfg.to_dict()
    hook = this['default_hooks'].pop('random_subset')
    assert hook == dict(type='GroupSubsetHook', ratio=0.1, interval=1)
    assert random['default_hooks'].pop('random_subset')['type'] == \
        'RandomSubsetHook'
    assert this == random


def _strip(model_cfg):
    model_cfg = copy.deepcopy(model_cfg.to_dict())
    model_cfg.pop('kd_loss')
    return model_cfg


@pytest.mark.parametrize('model', MODELS_)
@pytest.mark.parametrize('dataset', DATASETS)
def test_distillation_configs_train(model, dataset, group_data_root, tmp_path):
    group = distill_configs(model, dataset)
    main = f'configs/kd/sakd_{model}_{dataset}.py'
    cfg = tiny_cfg(main, group_data_root, str(tmp_path / 'work'))
    runner = Runner.from_cfg(cfg)
    before = {
        k: v.clone()
        for k, v in runner.model.student.state_dict().items()
    }
    runner.train()  # a scoring round, then 4 of 8 clips in batches of 2
    assert runner.train_loop.iter == 2
    after = runner.model.student.state_dict()
    assert any(not torch.equal(v, after[k]) for k, v in before.items()
               if v.is_floating_point())

    distiller = runner.model
    batch = next(iter(runner.train_dataloader))
    data = distiller.data_preprocessor(batch, True)
    done = {}
    for path, method, variant in group:
        other = tiny_cfg(path, group_data_root, str(tmp_path / 'work'))
        # Same distiller up to the loss; SAKD configs differ only in the
        # hook and the sampler.
        assert _strip(other.model) == _strip(cfg.model), path
        for key in ('random_state', 'sakd', 'infobatch', 'random_subset'):
            if key in other.default_hooks:
                HOOKS.build(copy.deepcopy(other.default_hooks[key]))
        key = str(other.model.kd_loss)
        if key in done:
            continue
        distiller.kd_loss = MODELS.build(other.model.kd_loss)
        distiller.train()
        distiller.zero_grad()
        losses = distiller.loss(data['inputs'], data['data_samples'])
        total = sum(v for k, v in losses.items() if k.startswith('loss'))
        assert torch.isfinite(total), (path, losses)
        assert losses['kd_raw'] > 0, (path, losses)
        total.backward()
        assert any(p.grad is not None and p.grad.abs().sum() > 0
                   for p in distiller.student.parameters()), path
        done[key] = path
    assert len(done) == len(METHODS)


@pytest.mark.parametrize('config, model, dataset, role', SINGLE)
def test_single_model_configs_train_step(config, model, dataset, role,
                                         tiny_data_root, tmp_path):
    cfg = tiny_cfg(config, tiny_data_root, str(tmp_path / 'work'))
    runner = Runner.from_cfg(cfg)
    optim_wrapper = runner.build_optim_wrapper(cfg.optim_wrapper)
    batch = next(iter(runner.train_dataloader))
    losses = runner.model.train_step(batch, optim_wrapper)
    assert torch.isfinite(sum(losses.values()))


def _referenced_configs(configs):
    """The configs of ``configs`` whose path (from ``configs/``, as in
    ``configs/synthetic/x.py`` or ``mmsakd::synthetic/x.py``) some test file
    under tests/ names."""
    text = ''
    for path in glob.glob(
            osp.join(REPO_ROOT, 'tests', '**', '*.py'), recursive=True):
        with open(path) as f:
            text += f.read()
    return {
        c
        for c in configs
        if re.search(r'(?<!\w)' + re.escape(c[len('configs/'):]), text)
    }


def test_every_config_is_tested():
    """Each config under configs/ (but _base_/) is a paper config, run
    above, an alias (test_config_tree.py), trained or built by the other
    config tests (their ``CONFIGS`` lists), or named by path in a test
    file under tests/; a new paper-style config must be added here."""
    configs = {
        osp.relpath(path, REPO_ROOT)
        for path in glob.glob(
            osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
        if '_base_' not in osp.relpath(path, REPO_ROOT).split(osp.sep)
    }
    assert set(PAPER_CONFIGS) <= configs, sorted(set(PAPER_CONFIGS) - configs)
    aliases = {
        osp.relpath(path, REPO_ROOT)
        for path in glob.glob(osp.join(REPO_ROOT, 'configs', '*.py'))
    }
    # The SAKD+ presets, the store and the multigrid configs are not the
    # paper's (test_sakd_plus_configs.py, test_teacher_store_configs.py,
    # test_multigrid_configs.py).
    paper_like = {
        c
        for c in configs - aliases
        if re.search(r'_(ucf101|kinetics400)(_\w+)?\.py$', c)
        and not c.startswith(('configs/sakd_plus/', 'configs/teacher_store/',
                              'configs/multigrid/'))
    }
    assert paper_like <= set(PAPER_CONFIGS), sorted(paper_like -
                                                    set(PAPER_CONFIGS))
    listed = set()
    pattern = osp.join(REPO_ROOT, 'tests', 'test_configs', '*.py')
    for path in glob.glob(pattern):
        if osp.abspath(path) == osp.abspath(__file__):
            continue
        spec = importlib.util.spec_from_file_location(
            f'_cov_{osp.basename(path)[:-3]}', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for item in getattr(module, 'CONFIGS', []):
            item = item[0] if isinstance(item, tuple) else item
            listed.add(
                item if item.startswith('configs/') else f'configs/{item}')
    covered = set(PAPER_CONFIGS) | aliases | listed
    covered |= _referenced_configs(configs - covered)
    untested = sorted(configs - covered)
    assert not untested, f'configs that no config test covers: {untested}'
