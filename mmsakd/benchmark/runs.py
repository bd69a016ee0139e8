"""The runs of a study: their configs, their training (finished runs reused,
unfinished ones resumed, stale ones discarded) and their records.

Each run trains in ``<work_dir>/runs/<name>/seed<k>/`` and leaves there
``run_result.json`` (its record) and ``fingerprint.txt`` (the key of its
settings).
"""
import dataclasses
import os
import os.path as osp
import shutil
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from mmsakd.apis.experiment import run_experiment, sakd_hook_cfg, set_epochs
from mmsakd.utils.logs import RESULT_FILE, read_run_result
from .configs import fingerprint
from .regimes import Regime, adapt_to_regime
from .study import Run


@dataclasses.dataclass(frozen=True)
class Setting:
    """What every run of a study shares.

    Args:
        regime (Regime, optional): The regime whose data and pretrained
            checkpoints the runs use; None: each config trains as written.
            Defaults to None.
        prepared (dict, optional): The regime's data and checkpoints
            (:func:`~mmsakd.benchmark.pretrain.prepare`); needed with a
            regime. Defaults to None.
        epochs (int, optional): Epochs of every run without a regime;
            None: each config's. Defaults to None.
        cfg_options (dict, optional): Merged into every run's config, as
            ``--cfg-options`` are. Defaults to None.
    """
    regime: Optional[Regime] = None
    prepared: Optional[Dict] = None
    epochs: Optional[int] = None
    cfg_options: Optional[Dict] = None

    def data_cfgs(self) -> Optional[List]:
        """The data settings the runs' keys hold (None without a
        regime)."""
        if self.regime is None:
            return None
        return [self.regime.written('source'), self.regime.written('target')]

    def run_epochs(self, run: Run) -> Optional[int]:
        """The epochs ``run`` trains; None: its config's."""
        base = self.regime.epochs if self.regime else self.epochs
        if base is None:
            if run.epochs is None and run.epochs_scale is None:
                return None
            base = Config.fromfile(run.path).train_cfg.max_epochs
        return run.num_epochs(base)


def run_dir(work_dir: str, run: str, seed: int) -> str:
    """The work dir of one run with one seed in a study's work dir."""
    return osp.join(work_dir, 'runs', run, f'seed{seed}')


def build_run_cfg(run: Run, seed: int, work_dir: str,
                  setting: Setting) -> Config:
    """The config of one run with one seed.

    In a regime, the config trains on the regime's data for its epochs
    (:func:`~mmsakd.benchmark.regimes.adapt_to_regime`), from its
    pretrained checkpoints, at its learning rate. Without one, the config
    trains as written but for the seed, the epochs when the study or run
    sets them, and only the last checkpoint kept (for resuming).

    Args:
        run (Run): The run.
        seed (int): Its seed.
        work_dir (str): Its work dir.
        setting (Setting): What the study's runs share.

    Returns:
        Config: The complete config.
    """
    cfg = Config.fromfile(run.path)
    regime, prepared = setting.regime, setting.prepared
    epochs = setting.run_epochs(run)
    if regime is not None:
        adapt_to_regime(cfg, regime, prepared['target_root'], epochs, seed,
                        len(regime.target.classes))
    else:
        cfg.randomness = dict(cfg.get('randomness') or {}, seed=seed)
        if epochs is not None:
            set_epochs(
                cfg, epochs, val_interval=cfg.train_cfg.get('val_interval', 1))
        checkpoint = (cfg.get('default_hooks') or {}).get('checkpoint')
        if checkpoint is not None:
            checkpoint.max_keep_ckpts = 1
    for options in (setting.cfg_options, run.overrides):
        if options:
            cfg.merge_from_dict(options, allow_list_keys=True)
    if run.lr_by_steps is not None:
        # True: sized by SAKDHook from its planned steps
        # (docs/method.md#learning-rate-per-step); False: by epoch.
        for scheduler in cfg.param_scheduler:
            if run.lr_by_steps:
                scheduler.convert_to_iter_based = True
            else:
                scheduler.pop('convert_to_iter_based', None)
    cfg.work_dir = work_dir
    if regime is not None:
        _use_pretrained(cfg, regime, prepared)
    if run.sakd:
        hook = sakd_hook_cfg(cfg)
        if hook is None:
            raise ValueError(f'run {run.name!r} sets sakd options, but its '
                             f'config {run.config} has no SAKD hook '
                             '(default_hooks.sakd)')
        hook.update(run.sakd)
    return cfg


def _use_pretrained(cfg: Config, regime: Regime, prepared: Dict) -> None:
    """The regime's learning rate, teacher and student weights."""
    if regime.lr is not None:
        cfg.optim_wrapper.optimizer.lr = regime.lr
    student = prepared.get('student')
    if cfg.model.get('type') == 'SAKDDistiller':
        cfg.model.teacher_ckpt = prepared['teacher']['checkpoint']
        cfg.model.student_ckpt = student and student['checkpoint']
    elif student is not None:
        cfg.load_from = student['checkpoint']


def train_run(run: Run, seed: int, work_dir: str, setting: Setting) -> Dict:
    """Train (or reuse, or resume) one run and return its record.

    A finished run is reused and an unfinished one resumed from its last
    checkpoint (:func:`~mmsakd.apis.run_experiment`). A run whose folder
    was made with other settings (its ``fingerprint.txt`` differs) is
    discarded and trained afresh.

    Args:
        run (Run): The run.
        seed (int): Its seed.
        work_dir (str): The study's work dir.
        setting (Setting): What the study's runs share.

    Returns:
        dict: The run's record (``run_result.json``).
    """
    folder = run_dir(work_dir, run.name, seed)
    cfg = build_run_cfg(run, seed, folder, setting)
    key = fingerprint(cfg, setting.data_cfgs())
    key_file = osp.join(folder, 'fingerprint.txt')
    if osp.isdir(folder):
        old = None
        if osp.isfile(key_file):
            with open(key_file) as f:
                old = f.read().strip()
        if old != key:
            print(
                f'{run.name} seed {seed}: settings changed, discarding '
                f'{folder}',
                flush=True)
            shutil.rmtree(folder)
    os.makedirs(folder, exist_ok=True)
    with open(key_file, 'w') as f:
        f.write(key + '\n')
    return run_experiment(
        cfg,
        f'{run.name}/seed{seed}',
        extra=dict(
            run=run.name,
            seed=seed,
            label=run.label,
            config=run.config,
            fingerprint=key))


def collect(work_dir: str, runs: Sequence[str],
            seeds: Sequence[int]) -> List[Dict]:
    """The finished runs' records found in ``work_dir``, run by run."""
    records = []
    for run in runs:
        for seed in seeds:
            path = osp.join(run_dir(work_dir, run, seed), RESULT_FILE)
            if osp.isfile(path):
                record = read_run_result(path)
                # Where it is now, should the work dir have moved.
                record['work_dir'] = osp.dirname(path)
                records.append(record)
    return records
