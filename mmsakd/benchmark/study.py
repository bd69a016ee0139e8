"""A study as data: its runs (a config, changes to it, a label), seeds and
baseline (:mod:`.study_files` reads them from a study file)."""
import dataclasses
import math
import re
from typing import List, Optional, Sequence, Tuple

from mmsakd.selection.checks import (check_bool, check_choice, check_int,
                                     check_range)
from .regimes import REGIMES, WHOLE_CLIP_REGIMES

_NAME = re.compile(r'[A-Za-z0-9][\w.-]*')


@dataclasses.dataclass(frozen=True)
class Run:
    """One configuration of a study, trained once per seed.

    Args:
        name (str): Its key: the folder ``runs/<name>/`` of the work dir,
            its row and its name in ``--runs``; letters, digits, ``_``,
            ``.`` and ``-``.
        config (str): The config as the study names it.
        path (str): The config file.
        label (str): Its row's label.
        sakd (dict, optional): Merged into the config's SAKD hook
            (``default_hooks.sakd``), which the config must have.
            Defaults to None.
        overrides (dict, optional): Merged into the config as
            ``--cfg-options`` are (nested dicts or dotted keys). Defaults
            to None.
        epochs (int, optional): Epochs of the run, the schedule stretched
            to them; None: the study's. Defaults to None.
        epochs_scale (float, optional): The run trains
            ``round(epochs_scale * the study's epochs)`` epochs instead.
            Defaults to None.
        lr_by_steps (bool, optional): True: the learning-rate schedulers
            are converted to iterations (SAKDHook sizes them from its
            planned steps); False: by epoch; None: as the config has them.
            Defaults to None.
    """
    name: str
    config: str
    path: str
    label: str
    sakd: Optional[dict] = None
    overrides: Optional[dict] = None
    epochs: Optional[int] = None
    epochs_scale: Optional[float] = None
    lr_by_steps: Optional[bool] = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ValueError(f'run names must be folder names (letters, '
                             f'digits, _ . -), got {self.name!r}')
        for key in ('sakd', 'overrides'):
            value = getattr(self, key)
            if value is not None and not isinstance(value, dict):
                raise TypeError(f'{key} must be a dict, got {value!r}')
        if self.epochs is not None:
            check_int('epochs', self.epochs, 1)
        if self.epochs_scale is not None:
            if self.epochs is not None:
                raise ValueError('set epochs or epochs_scale, not both')
            check_range('epochs_scale', self.epochs_scale, 0, math.inf, True,
                        True)
        if self.lr_by_steps is not None:
            check_bool('lr_by_steps', self.lr_by_steps)

    def num_epochs(self, base: int) -> int:
        """The epochs the run trains when its study's runs train ``base``
        epochs."""
        if self.epochs is not None:
            return self.epochs
        scale = 1.0 if self.epochs_scale is None else self.epochs_scale
        return max(1, round(scale * base))


@dataclasses.dataclass(frozen=True)
class Study:
    """The runs to train, their seeds and the baseline of the tables.

    Args:
        name (str): Its name (the study file's, without ``.py``).
        runs (tuple[Run]): The runs trained, in order.
        seeds (tuple[int]): Seeds of every run: distinct, >= 0.
        baseline (str, optional): The run of ``catalogue`` that
            differences, time ratios and time-to-accuracy refer to; None:
            no such columns.
        catalogue (tuple[Run]): Every run the study defines, in the order
            of the table's rows; ``runs`` is a selection of them.
        regime (str, optional): A built-in regime (``transfer``,
            ``scratch`` or ``grouped``) whose data and pretrained
            checkpoints every run uses; None: each config trains as
            written. Defaults to None.
        epochs (int, optional): Epochs of every run; None: the regime's, or
            each config's own. Defaults to None.
        augment (bool, optional): Train the regime on its augmented data
            (random windows and crops, the default of the built-in
            regimes) or, False, on clips read whole, as the studies before
            the augmented benchmark did; None: the regime's own.
            Defaults to None.
        title (str, optional): The heading of results.md. Defaults to None.
        work_dir (str, optional): The default work dir. Defaults to None.
        source (str, optional): The study file. Defaults to None.
    """
    name: str
    runs: Tuple[Run, ...]
    seeds: Tuple[int, ...]
    baseline: Optional[str]
    catalogue: Tuple[Run, ...]
    regime: Optional[str] = None
    epochs: Optional[int] = None
    augment: Optional[bool] = None
    title: Optional[str] = None
    work_dir: Optional[str] = None
    source: Optional[str] = None

    def __post_init__(self):
        # Frozen: the normalised fields are set through object.
        object.__setattr__(self, 'seeds', check_seeds(self.seeds))
        object.__setattr__(self, 'runs', tuple(self.runs))
        object.__setattr__(self, 'catalogue', tuple(self.catalogue))
        if self.augment is not None and not isinstance(self.augment, bool):
            raise TypeError(f'augment must be True, False or None, got '
                            f'{self.augment!r}')
        if not self.catalogue or not self.runs:
            raise ValueError('runs must hold at least one run')
        names = [run.name for run in self.catalogue]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f'run names must be distinct, got {doubled} '
                             'twice')
        if len({run.name for run in self.runs}) != len(self.runs):
            raise ValueError(f'runs must be distinct, got {self.names()}')
        for run in self.runs:
            self.run(run.name)
        if self.baseline is not None and self.baseline not in names:
            raise ValueError(f'baseline {self.baseline!r} is not a run of '
                             'the study')
        if self.regime is not None:
            check_choice('regime', self.regime, sorted(REGIMES))
            if self.augment is False and \
                    self.regime not in WHOLE_CLIP_REGIMES:
                raise ValueError(
                    f'the {self.regime} regime trains on augmented clips '
                    'only, but the study sets augment = False; clips read '
                    f'whole exist for {sorted(WHOLE_CLIP_REGIMES)}')
        if self.epochs is not None:
            check_int('epochs', self.epochs, 1)

    def names(self) -> List[str]:
        """The names of the runs trained, in order."""
        return [run.name for run in self.runs]

    def run(self, name: str) -> Run:
        """The run of the catalogue called ``name``."""
        for run in self.catalogue:
            if run.name == name:
                return run
        raise KeyError(f'unknown run {name!r}; choose from '
                       f'{", ".join(r.name for r in self.catalogue)}')

    def select(self, names: Sequence[str]) -> 'Study':
        """The study training the runs ``names`` of its catalogue."""
        return self.replace(runs=tuple(self.run(name) for name in names))

    def replace(self, **changes) -> 'Study':
        """The study with ``changes``, checked."""
        return dataclasses.replace(self, **changes)


def check_seeds(seeds: Sequence[int]) -> Tuple[int, ...]:
    """``seeds`` as a tuple, checked: distinct integers >= 0, at least
    one."""
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError('seeds must hold at least one seed')
    for seed in seeds:
        check_int('seeds', seed, 0)
    if len(set(seeds)) != len(seeds):
        raise ValueError(f'seeds must be distinct, got {list(seeds)}')
    return seeds


def parse_seeds(text: str) -> Tuple[int, ...]:
    """Comma-separated seeds, as ``--seeds 0,1,2`` gives them."""
    try:
        seeds = [int(s) for s in text.split(',') if s.strip()]
    except ValueError:
        raise ValueError(f'seeds must be comma-separated integers, got '
                         f'{text!r}') from None
    return check_seeds(seeds)
