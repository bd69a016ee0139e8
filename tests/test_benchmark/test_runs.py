"""The configs of a study's runs: in a regime (its data, epochs, learning
rate and pretrained weights, the variants' changes) and as a user's
config (seed, epochs, changes); the records collected from run folders."""
import dataclasses
import json
import os

import pytest
from mmengine.config import Config

from mmsakd.benchmark import (REGIMES, Setting, build_run_cfg,
                              builtin_catalogue, collect, fingerprint,
                              quick_regime)
from mmsakd.benchmark.study_files import make_run

PREPARED = dict(
    target_root='data/t',
    source_root='data/s',
    teacher=dict(checkpoint='t.pth'),
    student=dict(checkpoint='s.pth'))
STUDENT = 'mmsakd::synthetic/slowfast_tiny_student_synthetic.py'


def _cfg(regime, run, seed=3, prepared=PREPARED, work_dir='w'):
    return build_run_cfg(builtin_catalogue().run(run), seed, work_dir,
                         Setting(regime, prepared))


def test_fingerprint_follows_settings_not_places():
    regime = quick_regime(REGIMES['transfer'])

    def key(regime, run='kd', work_dir='a', prepared=PREPARED):
        cfg = _cfg(regime, run, 0, prepared, work_dir)
        return fingerprint(cfg, [regime.source, regime.target])

    base = key(regime)
    assert key(regime, work_dir='elsewhere') == base
    moved = dict(
        PREPARED,
        target_root='/elsewhere/data/t',
        source_root='/elsewhere/data/s',
        teacher=dict(checkpoint='/elsewhere/t.pth'))
    assert key(regime, prepared=moved) == base
    assert key(dataclasses.replace(regime, epochs=3)) != base
    assert key(dataclasses.replace(regime, lr=1e-4)) != base
    assert key(
        dataclasses.replace(
            regime, target=dataclasses.replace(regime.target, seed=5))) != base
    assert key(
        regime, prepared=dict(PREPARED,
                              teacher=dict(checkpoint='u.pth'))) != base
    assert key(regime, run='sakd_i1') != base


def test_student_runs_start_from_source_weights():
    regime = quick_regime(REGIMES['transfer'])
    names = ['ce', 'kd', 'sakd_i1', 'sakd_i5', 'random_kd_i1', 'infobatch']
    for run in builtin_catalogue().select(names).runs:
        cfg = _cfg(regime, run.name, seed=1)
        assert cfg.randomness.seed == 1
        assert cfg.train_cfg.max_epochs == regime.epochs
        assert cfg.optim_wrapper.optimizer.lr == regime.lr
        assert cfg.default_hooks.checkpoint.max_keep_ckpts == 1
        if run.name == 'ce':
            assert cfg.load_from == 's.pth'
        else:
            assert cfg.model.student_ckpt == 's.pth'
            assert cfg.model.teacher_ckpt == 't.pth'
    cfg = _cfg(regime, 'sakd_random_i5', 1)
    assert cfg.default_hooks.sakd.selector == 'random'
    assert cfg.default_hooks.sakd.interval == 5
    # From scratch: no student weights.
    scratch = _cfg(REGIMES['scratch'], 'ce', 1, dict(PREPARED, student=None))
    assert scratch.get('load_from') is None


def test_variants_build_valid_runs():
    """Every run of the catalogue builds a config whose hook accepts its
    options, with the epochs, cache and schedule it names."""
    from mmengine.registry import init_default_scope

    from mmsakd.registry import HOOKS
    init_default_scope('mmsakd')
    regime = REGIMES['transfer']
    for run in builtin_catalogue().catalogue:
        cfg = _cfg(regime, run.name)
        epochs = run.num_epochs(regime.epochs)
        assert cfg.train_cfg.max_epochs == epochs
        assert cfg.param_scheduler[0].T_max == epochs
        # The preset's config caches; a variant's overrides may too.
        cache = ((run.overrides
                  or {}).get('model', {}).get('teacher_cache', 'sakd_plus/'
                                              in run.config))
        assert bool(cfg.model.get('teacher_cache')) == bool(cache), run.name
        hook = cfg.default_hooks.get('sakd')
        if hook is not None:
            HOOKS.build(hook.to_dict())
        converted = cfg.param_scheduler[0].get('convert_to_iter_based', False)
        if run.lr_by_steps is not None:
            assert converted == run.lr_by_steps
    assert builtin_catalogue().run('kd_e40').num_epochs(15) == 6
    preset = _cfg(regime, 'sakd_plus')
    assert preset.model.teacher_cache is True
    assert 'convert_to_iter_based' not in preset.param_scheduler[0]
    ablation = _cfg(regime, 'plus_lr_step')
    assert ablation.param_scheduler[0].convert_to_iter_based is True
    assert _cfg(regime, 'plus_floor').default_hooks.sakd.alpha_min == 0.5
    cheap = _cfg(regime, 'plus_cheap_scoring')
    assert cheap.default_hooks.sakd.score_pipeline[1].clip_len == 8
    # The first preset, rebuilt from the current one.
    first = _cfg(regime, 'sakd_plus_v1')
    assert first.param_scheduler[0].convert_to_iter_based is True
    assert first.default_hooks.sakd.criterion == 'keep_high'
    assert first.default_hooks.sakd.diversity is None
    assert first.default_hooks.sakd.alpha_min == 0.5
    final = _cfg(regime, 'v1_rand_lr_epoch_no_floor')
    # The same hook, in flat keys against the preset's components.
    assert _effective(final.default_hooks.sakd) == _effective(
        preset.default_hooks.sakd)
    assert final.param_scheduler == preset.param_scheduler


def _effective(hook_cfg):
    """What a SAKD hook config builds: its schedule, strengths and the
    settings of its components."""
    import warnings

    from mmsakd.registry import HOOKS
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        hook = HOOKS.build(hook_cfg.to_dict())
    parts = hook.round
    return (vars(hook.schedule), hook.alpha_init, hook.alpha_min,
            parts.lam, parts.norm, parts.selector.round_settings(),
            type(parts.candidates).__name__, vars(parts.candidates),
            vars(parts.scorer))


@pytest.fixture
def user_config(tmp_path):
    path = tmp_path / 'mine.py'
    path.write_text(f"_base_ = '{STUDENT}'\n"
                    'train_cfg = dict(val_interval=2)\n'
                    'randomness = dict(seed=0, deterministic=True)\n')
    return str(path)


def test_user_config_trains_as_written_but_seed(user_config):
    written = Config.fromfile(user_config)
    cfg = build_run_cfg(make_run(dict(config=user_config)), 4, 'w', Setting())
    assert cfg.randomness == dict(written.randomness, seed=4)
    assert cfg.randomness.deterministic is True
    assert cfg.work_dir == 'w'
    assert cfg.default_hooks.checkpoint.max_keep_ckpts == 1
    for key in ('train_cfg', 'param_scheduler', 'model', 'train_dataloader'):
        assert cfg[key] == written[key], key


def test_user_config_epochs_and_changes(user_config):
    run = make_run(
        dict(
            config=user_config,
            epochs_scale=0.3,
            overrides={
                'train_dataloader.batch_size': 3,
                'model': dict(cls_head=dict(num_classes=7))
            },
            lr_by_steps=True))
    cfg = build_run_cfg(
        run, 0, 'w',
        Setting(cfg_options={
            'train_dataloader.batch_size': 2,
            'default_hooks.logger.interval': 1
        }))
    # 0.3 of the config's 10 epochs, the schedule stretched to them, the
    # config's validation interval kept.
    assert cfg.train_cfg.max_epochs == 3 and cfg.train_cfg.val_interval == 2
    assert cfg.param_scheduler[0].T_max == 3
    assert cfg.param_scheduler[0].convert_to_iter_based is True
    # The run's changes after the study's.
    assert cfg.train_dataloader.batch_size == 3
    assert cfg.default_hooks.logger.interval == 1
    assert cfg.model.cls_head.num_classes == 7
    assert cfg.model.backbone.type == 'ResNet3dSlowFast'
    study_epochs = build_run_cfg(run, 0, 'w', Setting(epochs=20))
    assert study_epochs.train_cfg.max_epochs == 6


def test_sakd_options_need_a_sakd_hook(user_config):
    run = make_run(dict(name='x', config=user_config, sakd=dict(ratio=0.3)))
    with pytest.raises(ValueError, match="'x'.*no SAKD hook"):
        build_run_cfg(run, 0, 'w', Setting())


def test_collect_reads_finished_runs(tmp_path):
    for run, seed in (('a', 0), ('a', 1), ('b', 1)):
        folder = tmp_path / 'runs' / run / f'seed{seed}'
        os.makedirs(folder)
        (folder / 'run_result.json').write_text(
            json.dumps(dict(run=run, seed=seed, work_dir='/old/place')))
    os.makedirs(tmp_path / 'runs' / 'b' / 'seed0')  # unfinished
    records = collect(str(tmp_path), ['b', 'a'], [0, 1])
    assert [(r['run'], r['seed']) for r in records] == [('b', 1), ('a', 0),
                                                        ('a', 1)]
    assert records[0]['work_dir'] == str(tmp_path / 'runs' / 'b' / 'seed1')
