"""The built-in regimes: smoke-run sizes, data folders, what a regime changes
in a config, and how results.md describes it."""
import dataclasses
import os.path as osp

import pytest
from helpers import REPO_ROOT
from mmengine.config import Config

from mmsakd.benchmark import (REGIMES, WHOLE_CLIP_REGIMES, quick_regime,
                              regime_named)
from mmsakd.benchmark.regimes import adapt_to_regime, data_roots, describe
from mmsakd.utils.dataset_cfg import innermost


def test_quick_regime_and_data_roots():
    transfer = quick_regime(REGIMES['transfer'])
    assert transfer.quick and transfer.epochs == 2
    assert (transfer.target.num_train, transfer.source.num_train) == (24, 36)
    assert transfer.source_epochs == transfer.teacher_epochs == 1
    assert quick_regime(REGIMES['scratch']).source is None
    plain = dataclasses.replace(REGIMES['scratch'], augment=False)
    assert data_roots(plain, 'd') == dict(
        target=osp.join('d', 'synthetic'), source=None)
    assert data_roots(REGIMES['scratch'], 'd') == dict(
        target=osp.join('d', 'synthetic_aug'), source=None)
    assert data_roots(transfer, 'd') == dict(
        target=osp.join('d', 'transfer_target_aug'),
        source=osp.join('d', 'transfer_source_aug'))
    assert plain.written('target') == plain.target
    written = transfer.written('source')
    assert (written.num_frames, written.clip_len) == (24, 16)
    assert dataclasses.replace(
        written, num_frames=16, clip_len=None) == transfer.source


def test_regime_named():
    for name in ('transfer', 'scratch'):
        assert regime_named(name) is regime_named(name, True) is REGIMES[name]
        whole = regime_named(name, augment=False)
        assert whole is WHOLE_CLIP_REGIMES[name] and not whole.augment
        assert REGIMES[name].augment
    # The earlier tables' transfer regime is unchanged on whole clips.
    whole = WHOLE_CLIP_REGIMES['transfer']
    assert (whole.target.num_train, whole.source_epochs,
            whole.teacher_source_epochs, whole.teacher_epochs,
            whole.lr) == (500, 20, 20, 12, 2e-3)
    # On augmented clips the scratch teacher trains longer; its whole-clip
    # schedule (the one `make teacher` uses) stays.
    assert WHOLE_CLIP_REGIMES['scratch'].teacher_epochs == 10
    assert REGIMES['scratch'].teacher_epochs == 30
    assert REGIMES['transfer'].source_epochs == 14
    with pytest.raises(
            ValueError,
            match="regime must be one of 'grouped', 'scratch', 'transfer', "
            "got 'kinetics'"):
        regime_named('kinetics')
    with pytest.raises(
            ValueError,
            match='the grouped regime trains on augmented clips only'):
        regime_named('grouped', augment=False)


def test_grouped_regime_is_transfer_on_grouped_clips():
    grouped, transfer = REGIMES['grouped'], REGIMES['transfer']
    assert regime_named('grouped') is grouped
    target = grouped.target
    assert (target.num_train, target.num_val,
            target.clips_per_group) == (500, 300, 5)
    assert (target.num_groups('train'), target.num_groups('val')) == (100, 60)
    assert target.seed not in (transfer.target.seed, transfer.source.seed)
    # Everything else is the transfer regime's, whose source data and
    # source checkpoints it shares.
    assert dataclasses.replace(
        grouped, name='transfer', target=transfer.target,
        source_name=None) == transfer
    assert grouped.source_prefix == transfer.source_prefix == 'transfer'
    roots, transfer_roots = (data_roots(r, 'd') for r in (grouped, transfer))
    assert roots['source'] == transfer_roots['source']
    assert roots['target'] == osp.join('d', 'grouped_target_aug')
    quick = quick_regime(grouped)
    assert (quick.target.num_train, quick.target.num_val) == (20, 10)
    assert describe(grouped, dict(teacher=dict(top1=90.)))['scope'] == (
        '500 training / 300 validation clips of 10 classes, in 100 / 60 '
        'groups of 5 clips cut from one video, trained on random 16-frame '
        'windows and crops of 24-frame clips, 15 epochs per run, ')


def test_describe_names_each_pretraining():
    prepared = dict(teacher=dict(top1=89.))
    text = describe(REGIMES['transfer'], prepared)['pretraining']
    assert 'for 20 (teacher) and 14 (student) epochs' in text
    text = describe(WHOLE_CLIP_REGIMES['transfer'], prepared)['pretraining']
    assert 'for 20 epochs (seed 0)' in text
    assert describe(REGIMES['scratch'], prepared)['scope'].startswith(
        '1000 training / 300 validation clips of 10 classes, trained on '
        'random 16-frame windows')


def test_adapt_to_regime():
    regime = quick_regime(REGIMES['transfer'])
    path = osp.join(REPO_ROOT, 'configs', 'synthetic',
                    'sakd_slowfast_tiny_synthetic.py')
    cfg = adapt_to_regime(Config.fromfile(path), regime, 'data/t', 3, 5, 7)
    assert cfg.randomness.seed == 5 and cfg.train_cfg.max_epochs == 3
    # Replayed views: an interrupted run (pretraining too) resumes exactly.
    dataset = cfg.train_dataloader.dataset
    assert (dataset.type, dataset.seed) == ('ReplayAugmentation', 0)
    assert [h.type
            for h in cfg.custom_hooks].count('ReplayAugmentationHook') == 1
    assert innermost(dataset).ann_file == osp.join('data/t', 'train.txt')
    for role in ('student', 'teacher'):
        assert cfg.model[role].cls_head.num_classes == 7
    assert cfg.default_hooks.checkpoint.save_best is None
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.default_hooks.sakd.score_num_workers == 0
    types = [step.type for step in innermost(dataset).pipeline]
    assert types[types.index('DecordDecode') +
                 1:][:2] == ['RandomResizedCrop', 'Resize']
    assert 'RandomResizedCrop' not in [
        step.type for step in cfg.val_dataloader.dataset.pipeline
    ]
    plain = adapt_to_regime(
        Config.fromfile(path), dataclasses.replace(regime, augment=False),
        'data/t', 3, 5, 7)
    assert plain.train_dataloader.dataset.pipeline == Config.fromfile(
        path).train_dataloader.dataset.pipeline
    assert 'ReplayAugmentationHook' not in [
        h.type for h in plain.get('custom_hooks', [])
    ]
