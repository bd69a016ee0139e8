"""Study files: the runs, seeds and baseline of a study, read like a config
(``_base_`` inheritance included), and the short form of a study, one run
per config.

configs/studies/README.md describes the keys. Names written in capitals
are the file's own constants and are not read.
"""
import functools
import os.path as osp
from typing import Dict, Optional, Sequence

from mmengine.config import Config

from .configs import resolve_config
from .study import Run, Study

#: The keys a study file may set.
STUDY_KEYS = ('runs', 'select', 'baseline', 'seeds', 'regime', 'epochs',
              'augment', 'title', 'work_dir')
#: The keys of a run.
RUN_KEYS = ('name', 'label', 'config', 'sakd', 'overrides', 'epochs',
            'epochs_scale', 'lr_by_steps')
#: The study file that defines every run of the SAKD benchmark: the paper's
#: (``studies/paper.py``) and the variants beyond it.
CATALOGUE = 'mmsakd::studies/beyond_paper.py'
PAPER = 'mmsakd::studies/paper.py'


def make_run(spec: Dict,
             name: Optional[str] = None,
             base_dir: Optional[str] = None) -> Run:
    """A :class:`~mmsakd.benchmark.study.Run` from its keys in a study file.

    Args:
        spec (dict): ``config`` and optionally the other keys of
            :data:`RUN_KEYS`.
        name (str, optional): Its name; None: ``spec['name']``, or the
            config file's name without ``.py``. Defaults to None.
        base_dir (str, optional): The folder relative config paths start
            from; None: the current directory. Defaults to None.

    Returns:
        Run: The run, its config file found.
    """
    if not isinstance(spec, dict):
        raise TypeError(f'a run must be a dict, got {spec!r}')
    unknown = sorted(set(spec) - set(RUN_KEYS))
    if unknown:
        raise ValueError(f'unknown run keys {unknown}; a run takes '
                         f'{", ".join(RUN_KEYS)}')
    config = spec.get('config')
    name = name or spec.get('name') or osp.splitext(osp.basename(
        str(config)))[0]
    try:
        return Run(
            name=name,
            config=config,
            path=resolve_config(config, base_dir),
            label=spec.get('label') or name,
            sakd=spec.get('sakd'),
            overrides=spec.get('overrides'),
            epochs=spec.get('epochs'),
            epochs_scale=spec.get('epochs_scale'),
            lr_by_steps=spec.get('lr_by_steps'))
    except (ValueError, TypeError, FileNotFoundError) as error:
        raise type(error)(f'run {name!r}: {error}') from None


def study_from_dict(spec: Dict,
                    name: str = 'study',
                    base_dir: Optional[str] = None,
                    source: Optional[str] = None) -> Study:
    """A :class:`~mmsakd.benchmark.study.Study` from the keys of a study
    file.

    Args:
        spec (dict): The keys of :data:`STUDY_KEYS`; ``runs`` is required,
            a list of runs (dicts with ``config``) or a dict of them by
            name. Keys written in capitals are ignored.
        name (str): The study's name. Defaults to 'study'.
        base_dir (str, optional): The folder relative config paths start
            from; None: the current directory. Defaults to None.
        source (str, optional): The study file, named in errors. Defaults
            to None.

    Returns:
        Study: The study.
    """
    where = source or name
    try:
        unknown = sorted(k for k in spec
                         if k not in STUDY_KEYS and not k.isupper())
        if unknown:
            raise ValueError(f'unknown keys {unknown}; a study takes '
                             f'{", ".join(STUDY_KEYS)} (constants in '
                             'capitals)')
        runs = spec.get('runs')
        if isinstance(runs, dict):
            items = list(runs.items())
        elif isinstance(runs, (list, tuple)):
            items = [(None, run) for run in runs]
        else:
            raise ValueError(f'runs must be a list or dict of runs, got '
                             f'{runs!r}')
        catalogue = tuple(make_run(run, key, base_dir) for key, run in items)
        study = Study(
            name=name,
            runs=catalogue,
            seeds=spec.get('seeds', (0, )),
            baseline=spec.get('baseline',
                              catalogue[0].name if catalogue else None),
            catalogue=catalogue,
            regime=spec.get('regime'),
            epochs=spec.get('epochs'),
            augment=spec.get('augment'),
            title=spec.get('title'),
            work_dir=spec.get('work_dir'),
            source=source)
        if spec.get('select') is not None:
            study = study.select(spec['select'])
        return study
    except (ValueError, TypeError, KeyError, FileNotFoundError) as error:
        message = error.args[0] if error.args else error
        kind = ValueError if isinstance(error, KeyError) else type(error)
        raise kind(f'{where}: {message}') from None


def load_study(path: str) -> Study:
    """The study of a study file.

    Args:
        path (str): The file, or ``mmsakd::studies/<name>.py`` for one
            shipped with mmsakd. Relative config paths in it start from its
            folder.

    Returns:
        Study: The study, named after the file.
    """
    path = resolve_config(path)
    spec = Config.fromfile(path).to_dict()
    name = osp.splitext(osp.basename(path))[0]
    return study_from_dict(spec, name, osp.dirname(path), path)


def study_from_configs(configs: Sequence[str],
                       baseline: Optional[str] = None,
                       seeds: Sequence[int] = (0, ),
                       epochs: Optional[int] = None,
                       regime: Optional[str] = None) -> Study:
    """A study of one run per config, each named after its file.

    Args:
        configs (Sequence[str]): Config files, as for
            :func:`~mmsakd.benchmark.configs.resolve_config`.
        baseline (str, optional): One of ``configs`` (as given, or its
            run's name); None: the first. Defaults to None.
        seeds (Sequence[int]): Seeds of every run. Defaults to (0, ).
        epochs (int, optional): Epochs of every run; None: each config's.
            Defaults to None.
        regime (str, optional): A built-in regime to train them in.
            Defaults to None.

    Returns:
        Study: The study, called ``configs``.
    """
    configs = list(configs)
    runs = [dict(config=config) for config in configs]
    spec = dict(runs=runs, seeds=seeds, epochs=epochs, regime=regime)
    if baseline is not None:
        names = [osp.splitext(osp.basename(c))[0] for c in configs]
        paths = [osp.abspath(c) for c in configs]
        if baseline in configs:
            baseline = names[configs.index(baseline)]
        elif osp.abspath(baseline) in paths:
            baseline = names[paths.index(osp.abspath(baseline))]
        spec['baseline'] = baseline
    return study_from_dict(spec, name='configs')


@functools.lru_cache(maxsize=None)
def builtin_catalogue() -> Study:
    """The study of :data:`CATALOGUE`, whose catalogue holds every run of
    the SAKD benchmark (``tools/analysis/benchmark_sakd.py --runs``)."""
    return load_study(CATALOGUE)
