"""The built-in regimes: smoke-run sizes, data folders, what a regime changes
in a config, and the calibration checks on a summary worked out by hand."""
import dataclasses
import os.path as osp

import pytest
from helpers import REPO_ROOT
from mmengine.config import Config

from mmsakd.benchmark import (REGIMES, WHOLE_CLIP_REGIMES, calibration,
                              quick_regime, regime_named)
from mmsakd.benchmark.regimes import (adapt_to_regime, calibration_section,
                                      data_roots, describe)
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
            match="regime must be 'scratch' or 'transfer', got 'grouped'"):
        regime_named('grouped')


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


def _row(run, top1, curve):
    return dict(
        run=run,
        top1=(top1, 1.),
        curve=[dict(epoch=i + 1, top1=t) for i, t in enumerate(curve)])


def test_calibration_checks():
    # 10 classes: chance 10 %. The student alone ends at 60 (a gain of 50
    # over chance), 80 % of it (50 %) in epoch 2 of 15, within the first
    # fifth; vanilla KD's last three validations span 1.5 points.
    summary = dict(rows=[
        _row('ce', 60., [40., 55., 60.]),
        _row('kd', 65., [64., 65., 65.5]),
        _row('sakd_i1', 20., [10., 20.])
    ])
    prepared = dict(teacher=dict(top1=75.))
    calib = calibration(REGIMES['scratch'], prepared, summary)
    assert calib['chance'] == 10.
    assert calib['teacher_minus_ce'] == 15.
    assert calib['kd_minus_ce'] == 5.
    assert calib['ce_epoch_80pct_gain'] == 2
    assert calib['kd_last3_spread'] == 1.5
    assert calib['best_mean_top1'] == 65.
    assert [c['met']
            for c in calib['checks']] == [True, True, True, False, True]
    lines = calibration_section(calib)
    assert lines[:3] == ['## Calibration', '', '- teacher top-1: 75.0']
    assert ('- vanilla KD plateaus (last three mean validations within 1 '
            'point): **missed**') in lines
    # Without the student alone, its checks are left out.
    calib = calibration(REGIMES['scratch'], prepared,
                        dict(rows=summary['rows'][1:]))
    assert len(calib['checks']) == 2
    assert calibration_section({}) == []
