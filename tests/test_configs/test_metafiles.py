"""The model zoo: ``model-index.yml`` and one ``metafile.yml`` per config
folder, read by MMEngine for ``mmsakd::`` config paths and by
``mim search mmsakd``. Every config is listed once, and what a metafile says
of a config is what the config does."""
import collections
import functools
import glob
import os
import os.path as osp
import re

import pytest
import yaml
from helpers import REPO_ROOT
from mmengine.config import Config

import mmsakd  # noqa: F401
from mmsakd.models.utils.model_config import resolve_model_cfg

CONFIG_ROOT = osp.join(REPO_ROOT, 'configs')
# Benchmark study files are not models (configs/studies/README.md).
NOT_MODELS = ('studies', )
FOLDERS = sorted(
    name for name in os.listdir(CONFIG_ROOT)
    if osp.isdir(osp.join(CONFIG_ROOT, name)) and name[0] not in '_.'
    and name not in NOT_MODELS)
METAFILES = [f'configs/{folder}/metafile.yml' for folder in FOLDERS]
# The files directly under configs/ are short paths of configs in kd/.
ALIASES = sorted(
    osp.relpath(p, REPO_ROOT)
    for p in glob.glob(osp.join(CONFIG_ROOT, '*.py')))
DATASETS = dict(
    ucf101='UCF101', kinetics400='Kinetics-400', synthetic='Synthetic')
SAKD_PAPER = 'https://arxiv.org/abs/2504.00606'
# The SAKDHook keys of the paper's method; any other key is an option
# beyond it (the SAKD+ preset).
PAPER_SAKD_KEYS = {
    'type', 'ratio', 'interval', 'lam', 'scorer', 'candidates', 'selector'
}
# Model keys: MMAction2's and MMRazor's, without `Results` (nothing has been
# trained here: no number of this repository to report).
MODEL_KEYS = {
    'Name', 'In Collection', 'Config', 'Metadata', 'Paper', 'Weights'
}
# Initialisation, not architecture: a teacher or student trained alone may
# start from other weights than the distiller's copy.
INIT_KEYS = ('pretrained', 'pretrained2d')


def _yaml(path):
    with open(osp.join(REPO_ROOT, path)) as f:
        return yaml.safe_load(f)


def _models():
    """``{Config: (metafile, model entry, its collection)}``."""
    found = {}
    for metafile in METAFILES:
        meta = _yaml(metafile)
        collections_ = {c['Name']: c for c in meta['Collections']}
        for model in meta['Models']:
            found[model['Config']] = (metafile, model,
                                      collections_[model['In Collection']])
    return found


@functools.lru_cache(maxsize=None)
def _config(path):
    return Config.fromfile(osp.join(REPO_ROOT, path))


def _architecture(model_cfg, _resolved={}):
    """The resolved model config without its initialisation."""
    # Keyed by the dict's text: the configs of a folder share a few pairs.
    key = str(model_cfg.to_dict())
    if key not in _resolved:
        resolved = resolve_model_cfg(model_cfg, 'model')
        for name in INIT_KEYS:
            resolved['backbone'].pop(name, None)
        _resolved[key] = resolved
    return _resolved[key]


def test_model_index_imports_one_metafile_per_config_folder():
    assert _yaml('model-index.yml') == dict(Import=METAFILES)
    for metafile in METAFILES:
        assert osp.isfile(osp.join(REPO_ROOT, metafile)), metafile


def test_every_config_is_listed_once():
    listed = collections.Counter(model['Config'] for metafile in METAFILES
                                 for model in _yaml(metafile)['Models'])
    assert [c for c, n in listed.items() if n > 1] == []
    configs = {
        osp.relpath(p, REPO_ROOT)
        for folder in FOLDERS
        for p in glob.glob(osp.join(CONFIG_ROOT, folder, '*.py'))
    }
    assert set(listed) == configs
    for alias in ALIASES:
        with open(osp.join(REPO_ROOT, alias)) as f:
            target = re.search(r"_base_ = \['\./(.+)'\]", f.read()).group(1)
        assert f'configs/{target}' in listed, alias


def test_names_are_unique():
    # mim shows one row per model name and merges collections by name.
    models, names = [], []
    for metafile in METAFILES:
        meta = _yaml(metafile)
        models += [m['Name'] for m in meta['Models']]
        names += [c['Name'] for c in meta['Collections']]
    assert len(set(models)) == len(models)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize('metafile', METAFILES)
def test_metafile_schema(metafile):
    folder = metafile.split('/')[1]
    meta = _yaml(metafile)
    assert set(meta) == {'Collections', 'Models'}
    for collection in meta['Collections']:
        assert set(collection) <= {'Name', 'README', 'Paper'}, collection
        # Paths from the repository root, as MMAction2 writes them.
        assert collection['README'] == f'configs/{folder}/README.md'
        assert osp.isfile(osp.join(REPO_ROOT, collection['README']))
    names = [c['Name'] for c in meta['Collections']]
    for model in meta['Models']:
        assert {'Name', 'In Collection', 'Config', 'Metadata'} <= set(model)
        assert set(model) <= MODEL_KEYS, sorted(set(model) - MODEL_KEYS)
        assert model['In Collection'] in names
        # MMEngine finds `mmsakd::<folder>/<file>.py` by the Config path
        # after its first '/'.
        assert model['Config'].startswith(f'configs/{folder}/')
        assert osp.isfile(osp.join(REPO_ROOT, model['Config']))
        assert model['Name'] == osp.basename(model['Config'])[:-3]
        metadata = model['Metadata']
        assert metadata['Training Data'] in DATASETS.values()
        assert isinstance(metadata['Architecture'], str)
        for key in ('Epochs', 'Batch Size'):
            assert isinstance(metadata[key], int), (model['Name'], key)
    for paper in [c.get('Paper') for c in meta['Collections']
                  ] + [m.get('Paper') for m in meta['Models']]:
        if paper is not None:
            assert set(paper) == {'URL', 'Title'}, paper
            assert paper['URL'].startswith('https://') and paper['Title']


def test_teacher_and_student_entries_agree():
    # A distillation entry names its teacher and its student as the
    # single-model entries that train them.
    models = _models()
    for config, (_, model, _) in models.items():
        metadata = model['Metadata']
        if 'Teacher' not in metadata:
            continue
        teacher = models[metadata['Teacher']['Config']][1]
        student = models[metadata['Student']['Config']][1]
        for single in (teacher, student):
            assert 'Teacher' not in single['Metadata'], config
            assert (single['Metadata']['Training Data'] ==
                    metadata['Training Data']), config
        assert (metadata['Teacher']['Architecture'] == teacher['Metadata']
                ['Architecture']), config
        assert (metadata['Architecture'] == student['Metadata']['Architecture']
                ), config
        # A released teacher is the checkpoint of its own entry.
        assert metadata['Teacher'].get('Weights') == teacher.get('Weights')


@pytest.mark.parametrize('metafile', METAFILES)
def test_metadata_describes_the_config(metafile):
    for config, (_, model, collection) in _models().items():
        if not config.startswith(osp.dirname(metafile) + '/'):
            continue
        cfg = _config(config)
        metadata = model['Metadata']
        name = model['Name']
        # Dataset wrappers (ReplayAugmentation) hold the dataset itself.
        dataset = cfg.train_dataloader.dataset
        while 'ann_file' not in dataset:
            dataset = dataset.dataset
        ann_file = dataset.ann_file
        assert metadata['Training Data'] == DATASETS[ann_file.split('/')[1]]
        assert metadata['Epochs'] == cfg.train_cfg.max_epochs
        assert metadata['Batch Size'] == cfg.train_dataloader.batch_size
        scaled = cfg.get('auto_scale_lr')
        assert (metadata.get('Training Resources') == '4 GPUs') == (
            scaled is not None
            and scaled.base_batch_size == 4 * cfg.train_dataloader.batch_size)
        if cfg.model.type != 'SAKDDistiller':
            _check_single_model(model, cfg)
            continue
        distiller = cfg.model
        assert metadata['KD Loss'] == distiller.kd_loss.type
        for role in ('teacher', 'student'):
            other = _config(metadata[role.title()]['Config'])
            assert _architecture(other.model) == _architecture(
                distiller[role]), (name, role)
        ckpt = distiller.get('teacher_ckpt') or ''
        assert metadata['Teacher'].get('Weights') == (
            ckpt if ckpt.startswith('https://') else None), name
        assert (metadata.get('Pretrained') == 'Kinetics-400') == bool(
            distiller.get('student_ckpt')), name
        selection = _selection(cfg.default_hooks)
        assert metadata.get('Sample Selection') == selection, name
        if selection and selection['Method'] == 'SAKD':
            paper = model.get('Paper', collection.get('Paper'))
            assert paper['URL'] == SAKD_PAPER, name


def _check_single_model(model, cfg):
    metadata = model['Metadata']
    for key in ('Teacher', 'Student', 'KD Loss', 'Sample Selection'):
        assert key not in metadata, (model['Name'], key)
    load_from = cfg.get('load_from')
    if 'Weights' in model:
        # Only a released model taken as it is: the config evaluates it.
        assert model['Weights'] == load_from
        assert 'Pretrained' not in metadata
    else:
        assert (metadata.get('Pretrained') == 'Kinetics-400'
                ) == bool(load_from), model['Name']


def _selection(hooks):
    """What the metafile says of the config's subset hook."""
    if hooks.get('sakd'):
        hook = hooks.sakd
        paper = set(hook) <= PAPER_SAKD_KEYS and hook.candidates.type == \
            'AllSamples' and hook.selector.type == 'DPPSelector'
        method = 'SAKD' if paper else 'SAKD+'
        return dict(Method=method, Ratio=hook.ratio, Interval=hook.interval)
    if hooks.get('infobatch'):
        hook = hooks.infobatch
        return {
            'Method': 'InfoBatch',
            'Prune Ratio': hook.prune_ratio,
            'Delta': hook.delta
        }
    if hooks.get('random_subset'):
        hook = hooks.random_subset
        method = 'Group-spread random subset' if hook.type == \
            'GroupSubsetHook' else 'Random subset'
        return dict(Method=method, Ratio=hook.ratio, Interval=hook.interval)
    return None


def test_mmsakd_config_paths_read_the_metafiles():
    from mmengine.config.utils import _get_cfg_metainfo
    from mmengine.hub import get_config
    from mmengine.utils import get_installed_path

    package = get_installed_path('mmsakd')
    config = 'configs/kd/random_subset_kd_slowfast_ucf101.py'
    entry = _get_cfg_metainfo(package, config[len('configs/'):])
    assert entry == _models()[config][1]
    teacher = 'configs/teachers/slowfast_r101_kinetics400_teacher.py'
    cfg = get_config('mmsakd::' + teacher[len('configs/'):], pretrained=True)
    assert cfg.model_path == _models()[teacher][1]['Weights']
    assert cfg.load_from == cfg.model_path
