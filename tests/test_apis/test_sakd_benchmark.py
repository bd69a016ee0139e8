"""The benchmark's names under mmsakd.apis, which tools and user code import:
the same objects as mmsakd.benchmark's, the runs read from the study
files."""
import pytest

import mmsakd.apis.benchmark as old_aggregate
import mmsakd.apis.sakd_benchmark as old
import mmsakd.benchmark as bench
from mmsakd.benchmark import summary as new_summary

PREPARED = dict(
    target_root='data/t',
    source_root='data/s',
    teacher=dict(checkpoint='t.pth'),
    student=dict(checkpoint='s.pth'))


def test_aggregation_names_are_the_package_functions():
    for name in old_aggregate.__all__:
        assert getattr(old_aggregate, name) is getattr(new_summary, name)


def test_runs_and_variants_come_from_the_study_files():
    paper = bench.load_study('mmsakd::studies/paper.py')
    assert list(old.RUNS) == [run.name for run in paper.catalogue] == [
        'ce', 'kd', 'sakd_i1', 'sakd_i5', 'sakd_random_i1', 'sakd_random_i5',
        'random_kd_i1', 'random_kd_i5', 'infobatch'
    ]
    assert old.RUNS['kd'].label == 'Vanilla KD'
    catalogue = bench.builtin_catalogue()
    assert list(old.RUNS) + list(old.VARIANTS) == [
        run.name for run in catalogue.catalogue
    ]
    for name in ('kd_cache', 'plus_kh_i2', 'sakd_plus', 'v1_easiness',
                 'v1_rand_lr_epoch_no_floor'):
        assert old.VARIANTS[name] == old.run_spec(name)
    with pytest.raises(KeyError, match='bogus'):
        old.run_spec('bogus')
    with pytest.raises(AttributeError):
        old.NO_SUCH_NAME


def test_run_helpers_match_the_package():
    regime = old.REGIMES['transfer']
    assert old.REGIMES is bench.REGIMES
    assert old.quick_regime is bench.quick_regime
    assert old.prepare is bench.prepare
    assert old.run_epochs(regime, 'kd_e47_cache') == 7
    cfg = old.build_run_cfg(regime, 'plus_r05', 2, PREPARED, 'w')
    run = bench.builtin_catalogue().run('plus_r05')
    same = bench.build_run_cfg(run, 2, 'w', bench.Setting(regime, PREPARED))
    assert cfg.to_dict() == same.to_dict()
    assert old.fingerprint(cfg, [regime.source, regime.target]) == \
        bench.fingerprint(same, [regime.source, regime.target])
