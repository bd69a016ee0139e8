"""Study files and studies: the shipped studies, a user's study file with
relative configs and constants, the short form from configs, and the
errors that name what is wrong."""
import glob
import os.path as osp

import pytest
from helpers import REPO_ROOT

from mmsakd.benchmark import (REGIMES, builtin_catalogue, load_study,
                              parse_seeds, study_from_configs)
from mmsakd.benchmark.study import Study
from mmsakd.benchmark.study_files import make_run, study_from_dict

# Every study file shipped in configs/studies/.
STUDIES = [
    'studies/paper.py',
    'studies/beyond_paper.py',
    'studies/beyond_paper/screen_transfer.py',
    'studies/beyond_paper/v1_transfer.py',
    'studies/beyond_paper/v1_scratch.py',
    'studies/beyond_paper/fresh_transfer.py',
    'studies/beyond_paper/fresh_scratch.py',
    'studies/beyond_paper/final_transfer.py',
    'studies/beyond_paper/final_scratch.py',
    'studies/augmented.py',
    'studies/grouped.py',
]
# Studies on random windows and crops: the augmented benchmark and the
# grouped regime, which is only augmented.
AUGMENTED = ('studies/augmented.py', 'studies/grouped.py')
STUDENT = 'mmsakd::synthetic/slowfast_tiny_student_synthetic.py'
KD = 'mmsakd::synthetic/kd_slowfast_tiny_synthetic.py'


def test_every_shipped_study_is_listed():
    found = sorted(
        osp.relpath(p, osp.join(REPO_ROOT, 'configs')) for p in glob.glob(
            osp.join(REPO_ROOT, 'configs', 'studies', '**', '*.py'),
            recursive=True))
    assert found == sorted(STUDIES)


@pytest.mark.parametrize('path', STUDIES)
def test_shipped_study_loads(path):
    study = load_study(f'mmsakd::{path}')
    assert study.name == osp.basename(path)[:-3]
    assert study.regime in REGIMES
    assert study.baseline == 'kd'
    assert study.augment is (path in AUGMENTED)
    names = [run.name for run in study.runs]
    assert len(set(names)) == len(names) and 'kd' in names
    # Every run is one of the benchmark's, defined once.
    catalogue = builtin_catalogue()
    for run in study.runs:
        assert catalogue.run(run.name) == run
        assert osp.isfile(run.path)


def test_catalogue_extends_the_paper_study():
    paper = load_study('mmsakd::studies/paper.py')
    catalogue = builtin_catalogue()
    assert paper.seeds == (0, 1, 2) and paper.regime == 'transfer'
    assert catalogue.catalogue[:len(paper.catalogue)] == paper.catalogue
    assert len(catalogue.catalogue) == 68
    final = load_study('mmsakd::studies/beyond_paper/final_scratch.py')
    assert final.regime == 'scratch' and final.seeds == (7, 8, 9)
    assert final.work_dir == 'work_dirs/study13/scratch_final'
    assert final.catalogue == catalogue.catalogue
    plus = catalogue.run('plus_kh_r02')
    assert plus.sakd == dict(
        ratio=0.2,
        warmup_epochs=1,
        anneal_epochs=1,
        alpha_min=0.5,
        pool_factor=0.5,
        reuse_train_losses=True,
        criterion='keep_high')
    assert plus.overrides == dict(model=dict(teacher_cache=True))
    assert plus.lr_by_steps is True
    assert catalogue.run('kd_e47_cache').num_epochs(15) == 7


def test_user_study_file(tmp_path):
    (tmp_path / 'configs').mkdir()
    (tmp_path / 'configs' / 'a.py').write_text(f"_base_ = '{STUDENT}'\n")
    (tmp_path / 'study.py').write_text(
        "LONG = dict(epochs_scale=2.0)\n"
        "runs = [dict(config='configs/a.py'),\n"
        "        dict(name='b', label='B, longer', config='configs/a.py',\n"
        "             overrides={'train_dataloader.batch_size': 2}, **LONG)]\n"
        "baseline = 'b'\n"
        "seeds = [3, 1]\n"
        "epochs = 4\n")
    study = load_study(str(tmp_path / 'study.py'))
    assert study.name == 'study' and study.regime is None
    assert [r.name for r in study.runs] == ['a', 'b']
    a, b = study.runs
    assert a.label == 'a' and b.label == 'B, longer'
    assert a.path == b.path == str(tmp_path / 'configs' / 'a.py')
    assert study.seeds == (3, 1) and study.baseline == 'b'
    assert study.epochs == 4 and b.num_epochs(4) == 8
    assert study.source == str(tmp_path / 'study.py')


def test_dict_runs_inherit_and_select(tmp_path):
    (tmp_path / 'base.py').write_text(
        f"runs = dict(ce=dict(config='{STUDENT}'), kd=dict(config='{KD}'))\n")
    (tmp_path / 'child.py').write_text(
        "_base_ = ['./base.py']\n"
        "runs = dict(kd=dict(label='KD'), kd2=dict(config='"
        f"{KD}', epochs=3))\n"
        "select = ['kd2', 'ce']\n")
    study = load_study(str(tmp_path / 'child.py'))
    assert [r.name for r in study.catalogue] == ['ce', 'kd', 'kd2']
    assert [r.name for r in study.runs] == ['kd2', 'ce']
    assert study.run('kd').label == 'KD' and study.run('kd').config == KD
    # The first run defined is the default baseline.
    assert study.baseline == 'ce'
    assert study.select(['kd']).runs == (study.run('kd'), )


def test_study_from_configs(tmp_path):
    for name in ('a', 'b'):
        (tmp_path / f'{name}.py').write_text(f"_base_ = '{STUDENT}'\n")
    a, b = str(tmp_path / 'a.py'), str(tmp_path / 'b.py')
    study = study_from_configs([a, b], baseline=b, seeds=(0, 2), epochs=3)
    assert isinstance(study, Study) and study.name == 'configs'
    assert [r.name for r in study.runs] == ['a', 'b']
    assert study.baseline == 'b' and study.seeds == (0, 2)
    assert study.epochs == 3 and study.regime is None
    assert study_from_configs([a, b]).baseline == 'a'
    assert study_from_configs([a, b], baseline='b').baseline == 'b'
    with pytest.raises(ValueError, match='baseline'):
        study_from_configs([a, b], baseline='c.py')
    with pytest.raises(ValueError, match=r"\['a'\] twice"):
        study_from_configs([a, a])


def test_parse_seeds():
    assert parse_seeds('0, 2,1') == (0, 2, 1)
    for bad, message in (('a', 'comma-separated'), ('1,1', 'distinct'),
                         ('-1', '>= 0'), ('', 'at least one')):
        with pytest.raises(ValueError, match=message):
            parse_seeds(bad)


@pytest.mark.parametrize('spec, message', [
    (dict(runs=[dict(config=STUDENT)], seed=[1]), r"unknown keys \['seed'\]"),
    (dict(runs=[dict(config=STUDENT, sakd_hook={})]), 'unknown run keys'),
    (dict(runs=[]), 'at least one run'),
    (dict(runs='a.py'), 'list or dict'),
    (dict(runs=[dict(config='missing.py')]), 'missing.py'),
    (dict(runs=[dict(config=STUDENT, name='a b')]), 'folder names'),
    (dict(runs=[dict(config=STUDENT)], baseline='kd'), 'baseline'),
    (dict(runs=[dict(config=STUDENT)], select=['kd']), 'unknown run'),
    (dict(runs=[dict(config=STUDENT)], regime='other'), 'regime'),
    (dict(runs=[dict(config=STUDENT)], epochs=0), 'epochs'),
    (dict(runs=[dict(config=STUDENT)], seeds=[0, 0]), 'distinct'),
    (dict(runs=[dict(config=STUDENT, epochs=2, epochs_scale=.5)]), 'not both'),
    (dict(runs=[dict(config=STUDENT, epochs_scale=0)]), 'epochs_scale'),
    (dict(runs=[dict(config=STUDENT, sakd=[1])]), 'sakd must be a dict'),
    (dict(runs=[dict(config=STUDENT, lr_by_steps=1)]), 'lr_by_steps'),
])
def test_bad_study_names_the_problem(spec, message):
    with pytest.raises((ValueError, TypeError, FileNotFoundError),
                       match=message) as error:
        study_from_dict(spec, name='mine')
    assert str(error.value).startswith('mine: ')


def test_make_run_names_after_the_config_file():
    run = make_run(dict(config=KD, label='Vanilla KD'))
    assert run.name == 'kd_slowfast_tiny_synthetic'
    assert run.num_epochs(15) == 15
    assert make_run(dict(config=KD, epochs_scale=0.01)).num_epochs(15) == 1
