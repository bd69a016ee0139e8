"""The SAKD evidence benchmark: regimes, pretrained checkpoints, the runs
and their seeds (``tools/analysis/benchmark_sakd.py``, ``make demo``).

Two regimes train the same runs on synthetic data
(docs/benchmarks.md#the-sakd-benchmark):

- ``transfer``, the paper's UCF101 setting in miniature: teacher and student
  are pretrained on a *source* dataset of other motion classes (the role of
  Kinetics-400), the teacher is fine-tuned on the *target* dataset (the
  role of UCF101), and every student run on the target starts from the
  student's source weights;
- ``scratch``: the default synthetic dataset, a teacher trained on it from
  scratch, students trained from scratch.

Pretraining runs once, with seed 0, and its checkpoints are cached under
``checkpoints/benchmark/`` with a key that hashes their config and data
settings, so that a changed setting never reuses a stale checkpoint. The
seeds vary the student runs. Every finished run is reused and an
unfinished one resumed, so an interrupted study only does what is missing.
"""
import dataclasses
import hashlib
import json
import os
import os.path as osp
import shutil
import time
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from mmsakd.datasets.synthetic import (SOURCE_CLASSES, SyntheticActionConfig,
                                       dataset_is_complete, generate_dataset)
from mmsakd.utils.logs import read_run_result
from .benchmark import aggregate, results_table, time_split_table
from .experiment import (RESULT_FILE, point_to_data, run_experiment,
                         sakd_hook_cfg, set_epochs)

#: Config of each run of the benchmark: name -> (label, config relative to
#: ``configs/``, options merged into its selection hook).
RUNS = OrderedDict([
    ('ce', ('Student alone (CE)',
            'synthetic/slowfast_tiny_student_synthetic.py', None)),
    ('kd', ('Vanilla KD', 'synthetic/kd_slowfast_tiny_synthetic.py', None)),
    ('sakd_i1', ('SAKD, every epoch',
                 'synthetic/sakd_slowfast_tiny_synthetic.py', None)),
    ('sakd_i5', ('SAKD, every 5 epochs',
                 'synthetic/sakd_i5_slowfast_tiny_synthetic.py', None)),
    ('sakd_random_i1', ('SAKD, random subset, every epoch',
                        'synthetic/sakd_slowfast_tiny_synthetic.py',
                        dict(selector='random'))),
    ('sakd_random_i5', ('SAKD, random subset, every 5 epochs',
                        'synthetic/sakd_i5_slowfast_tiny_synthetic.py',
                        dict(selector='random'))),
    ('random_kd_i1',
     ('Random-subset KD, every epoch',
      'synthetic/random_subset_kd_slowfast_tiny_synthetic.py', None)),
    ('random_kd_i5',
     ('Random-subset KD, every 5 epochs',
      'synthetic/random_subset_kd_i5_slowfast_tiny_synthetic.py', None)),
    ('infobatch', ('InfoBatch-style KD',
                   'synthetic/infobatch_kd_slowfast_tiny_synthetic.py', None)),
])
#: Variants of the study beyond the paper (docs/benchmarks.md#beyond-the-
#: paper), run only when named in ``--runs``: name -> (label, config,
#: options merged into its selection hook, run options). Run options:
#: ``epochs_scale`` (the run trains ``round(scale * regime.epochs)``
#: epochs, its schedule stretched to them), ``model`` (merged into
#: ``cfg.model``) and ``lr_by_steps`` (True: the schedulers converted to
#: iterations, which SAKDHook sizes from its planned steps; False: by
#: epoch).
KD_CONFIG = 'synthetic/kd_slowfast_tiny_synthetic.py'
SAKD_CONFIG = 'synthetic/sakd_slowfast_tiny_synthetic.py'
SAKD_I5_CONFIG = 'synthetic/sakd_i5_slowfast_tiny_synthetic.py'
PRESET_CONFIG = 'sakd_plus/sakd_plus_slowfast_tiny_synthetic.py'
#: The hook options of the ``plus`` variant (r = 0.3, a full-data epoch
#: first and last, strengths floored at 0.5, a candidate pool with reused
#: losses); the other variants built by :func:`_plus` change one or two
#: settings of it.
PLUS = dict(
    ratio=0.3,
    warmup_epochs=1,
    anneal_epochs=1,
    alpha_min=0.5,
    pool_factor=0.5,
    reuse_train_losses=True)
CACHE = dict(teacher_cache=True)
#: ``sakd_plus_v1``: the keep-high criterion with DPP and strengths
#: floored at 0.5 on top of the preset's config, with the learning rate per
#: step (run options); the ``v1_*`` variants change one or two of its
#: settings.
PLUS_V1 = dict(criterion='keep_high', diversity=None, alpha_min=0.5)
V1_RUN = dict(lr_by_steps=True)

#: A cheaper scoring pass for the tiny pairs: every second frame of the same
#: span (8 of 16) at 24x24 instead of 32x32, about 0.28x the validation
#: pipeline's pixels.
CHEAP_SCORING = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=8,
        frame_interval=2,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(24, 24), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(
        type='PackActionInputs',
        meta_keys=('img_shape', 'img_key', 'video_id', 'timestamp',
                   'sample_idx'))
]


def _plus(label: str, lr_by_steps: bool = True, **hook) -> tuple:
    """A ``plus`` variant: :data:`PLUS` updated by ``hook``, teacher cache."""
    return (label, SAKD_CONFIG, dict(PLUS, **hook),
            dict(model=CACHE, lr_by_steps=lr_by_steps))


VARIANTS = OrderedDict([
    ('kd_cache', ('Vanilla KD, teacher cache', KD_CONFIG, None,
                  dict(model=CACHE))),
    ('kd_e40', ('Vanilla KD, 40% of the epochs', KD_CONFIG, None,
                dict(epochs_scale=0.4))),
    ('kd_e40_cache', ('Vanilla KD, 40% of the epochs, teacher cache',
                      KD_CONFIG, None, dict(epochs_scale=0.4, model=CACHE))),
    ('kd_e47_cache', ('Vanilla KD, 47% of the epochs, teacher cache',
                      KD_CONFIG, None, dict(epochs_scale=7 / 15,
                                            model=CACHE))),
    ('kd_e53_cache', ('Vanilla KD, 53% of the epochs, teacher cache',
                      KD_CONFIG, None, dict(epochs_scale=8 / 15,
                                            model=CACHE))),
    ('sakd_r1', ('SAKD at r = 1 (Eq. 6 weighting alone)', SAKD_CONFIG,
                 dict(ratio=1.0), None)),
    ('fast_dpp',
     ('r 0.3, every 5, warm-up + anneal, alpha >= 0.5, cache', SAKD_I5_CONFIG,
      dict(ratio=0.3, warmup_epochs=1, anneal_epochs=1,
           alpha_min=0.5), dict(model=CACHE))),
    ('fast_random', ('as fast_dpp, random subset', SAKD_I5_CONFIG,
                     dict(
                         ratio=0.3,
                         warmup_epochs=1,
                         anneal_epochs=1,
                         alpha_min=0.5,
                         selector='random'), dict(model=CACHE))),
    ('fast_eq6', ('as fast_dpp, Eq. 6 alpha unfloored', SAKD_I5_CONFIG,
                  dict(ratio=0.3, warmup_epochs=1,
                       anneal_epochs=1), dict(model=CACHE))),
    ('plus',
     _plus('r 0.3 every epoch, warm-up + anneal, alpha >= 0.5, '
           'pool 0.5 + reuse, LR per step, cache')),
    ('plus_epochlr', _plus('as plus, LR per epoch', lr_by_steps=False)),
    ('plus_r05', _plus('as plus, r 0.5', ratio=0.5)),
    ('plus_random',
     _plus('as plus, random subset', criterion='random', diversity='none')),
    ('plus_keephigh',
     _plus('as plus, keep-high criterion', criterion='keep_high')),
    ('plus_i2', _plus('as plus, every 2 epochs', interval=2)),
    ('plus_kh_i2',
     _plus(
         'as plus, keep-high criterion, every 2 epochs',
         criterion='keep_high',
         interval=2)),
    ('plus_kh_r02',
     _plus(
         'as plus, keep-high criterion, r 0.2',
         criterion='keep_high',
         ratio=0.2)),
    # The SAKD+ preset and its ablations, one lever changed at a time.
    ('sakd_plus', ('SAKD+ (preset)', PRESET_CONFIG, None, None)),
    ('plus_sakd_selection',
     ('SAKD+, SAKD\'s selection (easiness + DPP)', PRESET_CONFIG,
      dict(criterion='easiness', diversity=None), None)),
    ('plus_floor', ('SAKD+, alpha floored at 0.5', PRESET_CONFIG,
                    dict(alpha_min=0.5), None)),
    ('plus_no_warm', ('SAKD+, no warm-up or annealing', PRESET_CONFIG,
                      dict(warmup_epochs=0, anneal_epochs=0), None)),
    ('plus_full_scoring',
     ('SAKD+, every clip scored each round', PRESET_CONFIG,
      dict(pool_factor=None, reuse_train_losses=False), None)),
    ('plus_lr_step', ('SAKD+, learning rate per step', PRESET_CONFIG, None,
                      dict(lr_by_steps=True))),
    ('plus_low_loss', ('SAKD+, lowest-loss criterion', PRESET_CONFIG,
                       dict(criterion='low_loss'), None)),
    ('plus_band', ('SAKD+, middle-band criterion', PRESET_CONFIG,
                   dict(criterion='band'), None)),
    ('plus_r1', ('SAKD+ at r = 1 (Eq. 6 weighting from reused losses)',
                 PRESET_CONFIG, dict(ratio=1.0), None)),
    ('plus_cheap_scoring',
     ('SAKD+, scoring at 8 of 16 frames and 24x24', PRESET_CONFIG,
      dict(score_pipeline=CHEAP_SCORING), None)),
    # The preset's 13 rounds at 0.3 against the same steps spread
    # unevenly: a ratio schedule from 0.5 down to 0.1 and from 0.1 up to
    # 0.5 (both average 0.3).
    ('plus_ratio_down', ('SAKD+, ratio 0.5 -> 0.1 (linear)', PRESET_CONFIG,
                         dict(ratio=0.5, ratio_end=0.1), None)),
    ('plus_ratio_up', ('SAKD+, ratio 0.1 -> 0.5 (linear)', PRESET_CONFIG,
                       dict(ratio=0.1, ratio_end=0.5), None)),
    # SAKD+ v1 (keep-high criterion with DPP, alpha floored at 0.5,
    # learning rate per step), one setting changed at a time, and two
    # combinations of those changes; each variant keeps its own settings, so
    # the studies of docs/benchmarks.md#beyond-the-paper rerun unchanged.
    ('sakd_plus_v1', ('SAKD+ v1', PRESET_CONFIG, PLUS_V1, V1_RUN)),
    ('v1_easiness', ('SAKD+ v1, SAKD\'s easiness criterion', PRESET_CONFIG,
                     dict(PLUS_V1, criterion='easiness'), V1_RUN)),
    ('v1_rand', ('SAKD+ v1, random subset', PRESET_CONFIG,
                 dict(PLUS_V1, criterion='random', diversity='none'), V1_RUN)),
    ('v1_no_floor', ('SAKD+ v1, no alpha floor', PRESET_CONFIG,
                     dict(PLUS_V1, alpha_min=0.), V1_RUN)),
    ('v1_no_warm', ('SAKD+ v1, no warm-up or annealing', PRESET_CONFIG,
                    dict(PLUS_V1, warmup_epochs=0, anneal_epochs=0), V1_RUN)),
    ('v1_full_scoring',
     ('SAKD+ v1, every clip scored each round', PRESET_CONFIG,
      dict(PLUS_V1, pool_factor=None, reuse_train_losses=False), V1_RUN)),
    ('v1_lr_epoch', ('SAKD+ v1, learning rate per epoch', PRESET_CONFIG,
                     PLUS_V1, None)),
    ('v1_rand_lr_epoch',
     ('SAKD+ v1, random subset, learning rate per epoch', PRESET_CONFIG,
      dict(PLUS_V1, criterion='random', diversity='none'), None)),
    ('v1_rand_lr_epoch_no_floor',
     ('SAKD+ v1, random subset, learning rate per epoch, no alpha floor',
      PRESET_CONFIG,
      dict(PLUS_V1, criterion='random', diversity='none',
           alpha_min=0.), None)),
])
TEACHER_CONFIG = 'synthetic/slowfast_tiny_teacher_synthetic.py'
STUDENT_CONFIG = 'synthetic/slowfast_tiny_student_synthetic.py'
BASELINE = 'kd'
CACHE_DIR = 'checkpoints/benchmark'


@dataclasses.dataclass(frozen=True)
class Regime:
    """Data, schedule and pretraining of one benchmark regime.

    Args:
        name (str): ``'transfer'`` or ``'scratch'`` (or a variant's name).
        target (SyntheticActionConfig): The dataset every run trains and is
            validated on.
        epochs (int): Epochs of every student run.
        teacher_epochs (int): Epochs of the teacher on the target: its
            fine-tuning from the source weights, or (without a source) its
            training from scratch.
        source (SyntheticActionConfig, optional): The pretraining dataset;
            None: no pretraining. Defaults to None.
        source_epochs (int): Pretraining epochs of the student on the
            source. Defaults to 0.
        teacher_source_epochs (int, optional): Pretraining epochs of the
            teacher on the source; None: ``source_epochs``. Defaults to
            None.
        lr (float, optional): Learning rate of the target runs and the
            teacher's fine-tuning; None keeps the configs'. Defaults to None.
        quick (bool): A smoke run: a batch of 4, logging every iteration
            and data loaded in the main process. Defaults to False.
    """
    name: str
    target: SyntheticActionConfig
    epochs: int
    teacher_epochs: int
    source: Optional[SyntheticActionConfig] = None
    source_epochs: int = 0
    teacher_source_epochs: Optional[int] = None
    lr: Optional[float] = None
    quick: bool = False

    def settings(self) -> Dict:
        """The regime as JSON-able settings."""
        return json.loads(json.dumps(dataclasses.asdict(self), default=list))


REGIMES: Dict[str, Regime] = dict(
    transfer=Regime(
        name='transfer',
        target=SyntheticActionConfig(num_train=500, num_val=300, seed=2),
        source=SyntheticActionConfig(
            num_train=1000, num_val=240, seed=1, classes=SOURCE_CLASSES),
        source_epochs=20,
        teacher_source_epochs=20,
        teacher_epochs=12,
        epochs=15,
        lr=2e-3),
    scratch=Regime(
        name='scratch',
        target=SyntheticActionConfig(),
        teacher_epochs=10,
        epochs=15),
)


def quick_regime(regime: Regime) -> Regime:
    """``regime`` on a few dozen clips for two epochs: a smoke run."""
    source = regime.source and dataclasses.replace(
        regime.source, num_train=36, num_val=12)
    return dataclasses.replace(
        regime,
        target=dataclasses.replace(regime.target, num_train=24, num_val=12),
        source=source,
        source_epochs=1 if source else 0,
        teacher_source_epochs=None,
        teacher_epochs=1,
        epochs=2,
        quick=True)


def config_file(relpath: str) -> str:
    """The path of ``configs/<relpath>``, in the repository or, for an
    installed package, in ``mmsakd/.mim/configs``."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    for root in (osp.join(osp.dirname(package),
                          'configs'), osp.join(package, '.mim', 'configs')):
        path = osp.join(root, relpath)
        if osp.isfile(path):
            return path
    raise FileNotFoundError(f'config {relpath!r} not found under configs/ '
                            'or mmsakd/.mim/configs')


def fingerprint(cfg: Config, data_cfgs: Sequence) -> str:
    """A 12-hex-digit key of a config and the data settings it trains on.

    Machine-specific parts are left out, so that the same settings give the
    same key in any clone: the work dir and resume flag, the data paths
    (the data settings stand for them), the folders of checkpoints (their
    file names carry their own keys) and of config files.
    """
    return hashlib.sha256(
        json.dumps(
            dict(
                config=_portable(cfg.to_dict()),
                data=[
                    dataclasses.asdict(d) for d in data_cfgs if d is not None
                ]),
            sort_keys=True,
            default=str).encode()).hexdigest()[:12]


_PLACE_KEYS = ('work_dir', 'resume', 'data_root', 'ann_file', 'data_prefix',
               'ann_file_train', 'ann_file_val', 'ann_file_test')
_CHECKPOINT_KEYS = ('teacher_ckpt', 'student_ckpt', 'load_from')


def _portable(value):
    """``value`` without the keys of :data:`_PLACE_KEYS`, checkpoint paths
    reduced to file names and config paths to their part under
    ``configs/``."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in _PLACE_KEYS:
                continue
            if key in _CHECKPOINT_KEYS and isinstance(item, str):
                item = osp.basename(item)
            elif key == 'cfg_path' and isinstance(item, str):
                item = osp.normpath(item).replace(os.sep, '/')
                item = item.rsplit('/configs/', 1)[-1]
            out[key] = _portable(item)
        return out
    if isinstance(value, (list, tuple)):
        return [_portable(item) for item in value]
    return value


def _quick_options(cfg: Config) -> None:
    """Main-process data loading, batches of 4, a log line per iteration:
    worker start-up would dominate a run on a few dozen clips."""
    cfg.default_hooks.logger.interval = 1
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if loader is not None:
            loader.num_workers = 0
            loader.persistent_workers = False
            loader.batch_size = 4
    hook = sakd_hook_cfg(cfg)
    if hook is not None:
        hook.update(score_num_workers=0, score_batch_size=8)


def _base_cfg(relpath: str, regime: Regime, data_root: str, epochs: int,
              seed: int, num_classes: int) -> Config:
    cfg = Config.fromfile(config_file(relpath))
    cfg.randomness = dict(seed=seed, diff_rank_seed=False, deterministic=False)
    point_to_data(cfg, data_root)
    set_epochs(cfg, epochs)
    if 'cls_head' in cfg.model:  # a recognizer
        cfg.model.cls_head.num_classes = num_classes
    else:  # a distiller: merged into both recognizer configs
        for role in ('student', 'teacher'):
            cfg.model[role].setdefault('cls_head', dict())
            cfg.model[role].cls_head.num_classes = num_classes
    cfg.default_hooks.checkpoint.max_keep_ckpts = 1
    cfg.default_hooks.checkpoint.save_best = None
    if regime.quick:
        _quick_options(cfg)
    return cfg


def _pretrained(name: str, cfg: Config, data_cfgs: Sequence, cache_dir: str,
                work_root: str) -> Dict:
    """Train ``cfg`` once and cache its final weights.

    Returns:
        dict: ``checkpoint`` (path), ``key``, ``top1``/``top5`` on its
        validation set after the last epoch and ``train_time``.
    """
    key = fingerprint(cfg, data_cfgs)
    path = osp.join(cache_dir, f'{name}-{key}.pth')
    info_path = path[:-len('.pth')] + '.json'
    if osp.isfile(path) and osp.isfile(info_path):
        with open(info_path) as f:
            info = json.load(f)
        # Where it is found now, wherever the cache was written from.
        info['checkpoint'] = path
        print(f'{name}: cached {path} (top-1 {info["top1"]:.1f})', flush=True)
        return info
    work_dir = osp.join(work_root, f'{name}-{key}')
    cfg.work_dir = work_dir
    # Validate once, after the last epoch.
    cfg.train_cfg.val_interval = cfg.train_cfg.max_epochs
    print(
        f'{name}: training {cfg.train_cfg.max_epochs} epochs in '
        f'{work_dir}, cached as {path}',
        flush=True)
    result = run_experiment(cfg, name)
    os.makedirs(cache_dir, exist_ok=True)
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        last = f.read().strip()
    tmp = path + '.tmp'
    shutil.copyfile(last, tmp)
    os.replace(tmp, path)
    info = dict(
        name=name,
        checkpoint=path,
        key=key,
        top1=result['top1'],
        top5=result['top5'],
        train_time=result['train_time'],
        epochs=result['epochs'])
    with open(info_path + '.tmp', 'w') as f:
        json.dump(info, f, indent=2)
    os.replace(info_path + '.tmp', info_path)
    return info


def data_roots(regime: Regime, data_dir: str) -> Dict[str, Optional[str]]:
    """Where the regime's datasets live: the default dataset at
    ``data_dir/synthetic`` for the default settings, else a folder per
    regime and role."""
    if regime.target == SyntheticActionConfig():
        target = osp.join(data_dir, 'synthetic')
    else:
        target = osp.join(data_dir, f'{regime.name}_target')
    source = None
    if regime.source is not None:
        source = osp.join(data_dir, f'{regime.name}_source')
    return dict(target=target, source=source)


def prepare(regime: Regime,
            data_dir: str = 'data',
            cache_dir: str = CACHE_DIR,
            work_dir: str = 'work_dirs/benchmark_sakd',
            num_workers: int = 2) -> Dict:
    """Generate the regime's data and make (or find) its teacher and, with a
    source, the student's pretrained weights.

    Returns:
        dict: ``target_root``, ``source_root``, ``teacher`` and ``student``
        (the :func:`_pretrained` infos; ``student`` is None without a
        source) and ``pretrained`` (every pretrained checkpoint's info).
    """
    roots = data_roots(regime, data_dir)
    for role, data_cfg in (('source', regime.source), ('target',
                                                       regime.target)):
        if data_cfg is None:
            continue
        if dataset_is_complete(roots[role], data_cfg):
            continue
        print(f'generating the {role} dataset in {roots[role]}', flush=True)
        generate_dataset(roots[role], data_cfg, num_workers=num_workers)
        print(flush=True)
    pretrain_dir = osp.join(work_dir, 'pretrain')
    infos = []
    student = None
    teacher_init = None
    if regime.source is not None:
        num_source = len(regime.source.classes)
        teacher_epochs = regime.teacher_source_epochs
        if teacher_epochs is None:
            teacher_epochs = regime.source_epochs
        teacher_src = _base_cfg(TEACHER_CONFIG, regime, roots['source'],
                                teacher_epochs, 0, num_source)
        teacher_src_info = _pretrained(f'{regime.name}_teacher_source',
                                       teacher_src, [regime.source], cache_dir,
                                       pretrain_dir)
        student_src = _base_cfg(STUDENT_CONFIG, regime, roots['source'],
                                regime.source_epochs, 0, num_source)
        student = _pretrained(f'{regime.name}_student_source', student_src,
                              [regime.source], cache_dir, pretrain_dir)
        infos += [teacher_src_info, student]
        teacher_init = teacher_src_info['checkpoint']
    teacher_cfg = _base_cfg(TEACHER_CONFIG, regime,
                            roots['target'], regime.teacher_epochs, 0,
                            len(regime.target.classes))
    if teacher_init is not None:
        # Loaded non-strictly after initialisation: the source head's
        # other number of classes is skipped (logged) and stays initialised.
        teacher_cfg.load_from = teacher_init
        if regime.lr is not None:
            teacher_cfg.optim_wrapper.optimizer.lr = regime.lr
    teacher = _pretrained(f'{regime.name}_teacher', teacher_cfg,
                          [regime.source, regime.target], cache_dir,
                          pretrain_dir)
    infos.append(teacher)
    return dict(
        target_root=roots['target'],
        source_root=roots['source'],
        teacher=teacher,
        student=student,
        pretrained=infos)


def run_spec(run: str):
    """``(label, config, hook options, run options)`` of a run of
    :data:`RUNS` or :data:`VARIANTS`."""
    if run in RUNS:
        return tuple(RUNS[run]) + (None, )
    if run in VARIANTS:
        return VARIANTS[run]
    raise KeyError(f'unknown run {run!r}; choose from '
                   f'{", ".join(list(RUNS) + list(VARIANTS))}')


def run_epochs(regime: Regime, run: str) -> int:
    """The number of epochs ``run`` trains in ``regime``."""
    options = run_spec(run)[3] or {}
    return max(1, round(options.get('epochs_scale', 1.0) * regime.epochs))


def build_run_cfg(regime: Regime, run: str, seed: int, prepared: Dict,
                  work_dir: str) -> Config:
    """The config of one run of the regime with one seed."""
    label, relpath, hook_options, options = run_spec(run)
    cfg = _base_cfg(relpath, regime, prepared['target_root'],
                    run_epochs(regime, run), seed, len(regime.target.classes))
    if options and options.get('model'):
        cfg.model.update(options['model'])
    if options and 'lr_by_steps' in options:
        # True: sized by SAKDHook from its planned steps
        # (docs/method.md#learning-rate-per-step); False: by epoch.
        for scheduler in cfg.param_scheduler:
            if options['lr_by_steps']:
                scheduler.convert_to_iter_based = True
            else:
                scheduler.pop('convert_to_iter_based', None)
    cfg.work_dir = work_dir
    if regime.lr is not None:
        cfg.optim_wrapper.optimizer.lr = regime.lr
    student = prepared.get('student')
    if cfg.model.get('type') == 'SAKDDistiller':
        cfg.model.teacher_ckpt = prepared['teacher']['checkpoint']
        cfg.model.student_ckpt = student and student['checkpoint']
    elif student is not None:
        cfg.load_from = student['checkpoint']
    hook = sakd_hook_cfg(cfg)
    if hook is not None and hook_options:
        hook.update(hook_options)
    return cfg


def train_run(regime: Regime, run: str, seed: int, prepared: Dict,
              work_dir: str) -> Dict:
    """Train (or reuse, or resume) one run and return its record.

    A run whose work dir was made with other settings (its
    ``fingerprint.txt`` differs) is discarded and trained afresh.
    """
    run_dir = osp.join(work_dir, 'runs', run, f'seed{seed}')
    cfg = build_run_cfg(regime, run, seed, prepared, run_dir)
    key = fingerprint(cfg, [regime.source, regime.target])
    key_file = osp.join(run_dir, 'fingerprint.txt')
    if osp.isdir(run_dir):
        old = None
        if osp.isfile(key_file):
            with open(key_file) as f:
                old = f.read().strip()
        if old != key:
            print(
                f'{run} seed {seed}: settings changed, discarding '
                f'{run_dir}',
                flush=True)
            shutil.rmtree(run_dir)
    os.makedirs(run_dir, exist_ok=True)
    with open(key_file, 'w') as f:
        f.write(key + '\n')
    label, config = run_spec(run)[:2]
    result = run_experiment(
        cfg,
        f'{run}/seed{seed}',
        extra=dict(
            run=run, seed=seed, label=label, config=config, fingerprint=key))
    return result


def calibration(regime: Regime, prepared: Dict, summary: Dict) -> Dict:
    """The regime's calibration figures and whether each target is met.

    Targets (3-seed means): teacher >= student alone + 8 points; vanilla KD
    >= student alone + 2 points; no run at 100 %; the student alone's mean
    curve reaches 80 % of its final gain over chance within the first
    fifth of the epochs; vanilla KD's last three mean validations within
    1 point (plateau).
    """
    rows = {row['run']: row for row in summary['rows']}
    chance = 100. / len(regime.target.classes)
    out: Dict = dict(chance=chance, teacher_top1=prepared['teacher']['top1'])
    ce, kd = rows.get('ce'), rows.get(BASELINE)
    checks = []
    if ce is not None:
        gap = out['teacher_top1'] - ce['top1'][0]
        out['teacher_minus_ce'] = gap
        checks.append(('teacher - student alone >= 8 points', gap >= 8))
        curve = ce['curve']
        final = curve[-1]['top1']
        gain = final - chance
        reach = None
        if gain > 0:
            reach = next((p['epoch']
                          for p in curve if p['top1'] - chance >= 0.8 * gain),
                         None)
        out['ce_epoch_80pct_gain'] = reach
        checks.append(
            ('student alone reaches 80 % of its final gain over '
             'chance within the first fifth of the epochs', reach is not None
             and reach <= regime.epochs / 5))
    if ce is not None and kd is not None:
        out['kd_minus_ce'] = kd['top1'][0] - ce['top1'][0]
        checks.append(
            ('vanilla KD - student alone >= 2 points', out['kd_minus_ce']
             >= 2))
    if kd is not None:
        last = [p['top1'] for p in kd['curve'][-3:]]
        out['kd_last3_spread'] = max(last) - min(last)
        checks.append(('vanilla KD plateaus (last three mean validations '
                       'within 1 point)', out['kd_last3_spread'] <= 1.))
    best = max((row['top1'][0] for row in summary['rows']), default=0.)
    out['best_mean_top1'] = best
    checks.append(('no run saturates (every mean top-1 < 100 %)', best < 100.))
    out['checks'] = [dict(target=t, met=bool(m)) for t, m in checks]
    return out


def collect(work_dir: str, runs: Sequence[str],
            seeds: Sequence[int]) -> List[Dict]:
    """The finished runs' records found in ``work_dir``."""
    records = []
    for run in runs:
        for seed in seeds:
            path = osp.join(work_dir, 'runs', run, f'seed{seed}', RESULT_FILE)
            if osp.isfile(path):
                record = read_run_result(path)
                # Where it is now, should the work dir have moved.
                record['work_dir'] = osp.dirname(path)
                records.append(record)
    return records


def _machine() -> str:
    import torch
    text = (f'{os.cpu_count()} CPU cores, {torch.get_num_threads()} torch '
            'threads')
    if torch.cuda.is_available():
        text += f', {torch.cuda.get_device_name()}'
    return text


def report(regime: Regime,
           summary: Dict,
           calib: Dict,
           prepared: Dict,
           settings: Dict,
           title: Optional[str] = None) -> str:
    """results.md: settings, the table, calibration, where the time goes."""
    base = summary['baseline']
    lines = [
        f'# {title or "SAKD benchmark, " + regime.name + " regime"}', '',
        f'{regime.target.num_train} training / {regime.target.num_val} '
        f'validation clips of {len(regime.target.classes)} classes, '
        f'{regime.epochs} epochs per run, seeds {settings["seeds"]}, '
        f'{settings["machine"]}, {settings["date"]}. Top-1/top-5 on the '
        'validation split after the last epoch, mean ± std over seeds; '
        f'"vs {base}" is the mean ± std of the per-seed differences '
        '(paired, same seed). Training time covers each epoch from its '
        'start to its last iteration: data loading, SAKD scoring and '
        'selection included, validation and checkpoints excluded. "Time to '
        f'X %" is the training time at which the mean curve first reaches '
        f'X % of {base}\'s final mean top-1, relative to {base}\'s mean '
        'total time. "Data wait" is the share of training time spent '
        'waiting for training batches (not scoring data).', ''
    ]
    if regime.source is not None:
        lines += [
            f'Teacher and student pretrained on {regime.source.num_train} '
            f'clips of {len(regime.source.classes)} other motion classes '
            f'for {regime.source_epochs} epochs (seed 0), teacher '
            f'fine-tuned on the target for {regime.teacher_epochs} '
            f'epochs: top-1 {prepared["teacher"]["top1"]:.1f} %. Every '
            'student run starts from the student\'s source weights.', ''
        ]
    else:
        lines += [
            f'Teacher trained on the target from scratch for '
            f'{regime.teacher_epochs} epochs (seed 0): top-1 '
            f'{prepared["teacher"]["top1"]:.1f} %. Students from '
            'scratch.', ''
        ]
    lines += [results_table(summary), '']
    if calib.get('checks'):
        lines += ['## Calibration', '']
        for key, label in (('teacher_top1', 'teacher top-1'),
                           ('teacher_minus_ce', 'teacher - student alone'),
                           ('kd_minus_ce', 'vanilla KD - student alone'),
                           ('ce_epoch_80pct_gain',
                            'epoch at which student alone reaches 80 % of '
                            'its final gain over chance'),
                           ('kd_last3_spread',
                            'spread of vanilla KD\'s last three mean '
                            'validations'), ('best_mean_top1',
                                             'best mean top-1')):
            if calib.get(key) is not None:
                value = calib[key]
                value = f'{value:.1f}' if isinstance(value, float) else value
                lines.append(f'- {label}: {value}')
        lines.append('')
        for check in calib['checks']:
            lines.append(f'- {check["target"]}: '
                         f'**{"met" if check["met"] else "missed"}**')
        lines.append('')
    lines += [
        '## Where the training time goes (mean seconds)', '',
        time_split_table(summary), ''
    ]
    return '\n'.join(lines)


def run_benchmark(regime: Regime,
                  seeds: Sequence[int],
                  runs: Sequence[str],
                  work_dir: str,
                  data_dir: str = 'data',
                  cache_dir: str = CACHE_DIR,
                  title: Optional[str] = None) -> Dict:
    """Prepare the regime, train every run for every seed (reusing finished
    runs, resuming unfinished ones) and write ``results.md``,
    ``results.json`` and ``accuracy_vs_time.png`` into ``work_dir``.

    Seeds are the outer loop, so that a study stopped half-way holds
    complete, paired seeds.

    Returns:
        dict: What ``results.json`` holds: ``settings``, ``calibration``,
        ``summary`` (:func:`~mmsakd.apis.benchmark.aggregate`) and
        ``records``.
    """
    wall = time.time()
    os.makedirs(work_dir, exist_ok=True)
    print(f'==> {regime.name} regime: data and pretrained models', flush=True)
    prepared = prepare(
        regime, data_dir=data_dir, cache_dir=cache_dir, work_dir=work_dir)
    total = len(seeds) * len(runs)
    done = 0
    for seed in seeds:
        for run in runs:
            done += 1
            print(
                f'\n==> run {done}/{total}: {run_spec(run)[0]} ({run}), '
                f'seed {seed}, {run_epochs(regime, run)} epochs',
                flush=True)
            record = train_run(regime, run, seed, prepared, work_dir)
            print(
                f'{run} seed {seed}: top-1 {record["top1"]:.1f}, trained '
                f'in {record["train_time"]:.0f}s',
                flush=True)
    records = collect(work_dir, runs, seeds)
    summary = aggregate(
        records, baseline=BASELINE, order=list(RUNS) + list(VARIANTS))
    calib = calibration(regime, prepared, summary)
    settings = dict(
        regime=regime.settings(),
        seeds=seeds,
        runs=runs,
        machine=_machine(),
        date=time.strftime('%Y-%m-%d'),
        pretrained=prepared['pretrained'],
        wall_time=round(time.time() - wall, 1))
    text = report(regime, summary, calib, prepared, settings, title)
    from mmsakd.visualization import plot_benchmark
    png = plot_benchmark(
        summary,
        osp.join(work_dir, 'accuracy_vs_time.png'),
        title=f'Top-1 vs training time, {regime.name} regime '
        f'(mean ± std over {len(seeds)} seed(s))')
    text += f'\n![accuracy vs time]({osp.basename(png)})\n'
    if summary['baseline'] is not None and len(summary['rows']) > 1:
        from mmsakd.visualization import plot_frontier
        frontier = plot_frontier(
            summary,
            osp.join(work_dir, 'frontier.png'),
            title=f'Top-1 vs time relative to {BASELINE}, {regime.name} '
            f'regime (mean ± std over {len(seeds)} seed(s))')
        text += f'\n![frontier]({osp.basename(frontier)})\n'
    out = dict(
        settings=settings, calibration=calib, summary=summary, records=records)
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(out, f, indent=2, default=str)
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(text)
    print('\n' + text)
    print(f'results: {osp.join(work_dir, "results.md")}, results.json, '
          f'{png}; finished in {time.time() - wall:.0f}s')
    return out
