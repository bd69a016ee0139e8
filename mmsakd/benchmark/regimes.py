"""The built-in regimes of the SAKD benchmark: synthetic data, schedule and
pretraining (docs/benchmarks.md#two-regimes), what a regime changes in a
run's config, and its calibration checks.

- ``transfer``, the paper's UCF101 setting in miniature: teacher and student
  are pretrained on a *source* dataset of other motion classes (the role of
  Kinetics-400), the teacher is fine-tuned on the *target* dataset (the
  role of UCF101), and every student run on the target starts from the
  student's source weights;
- ``scratch``: the default synthetic dataset, a teacher trained on it from
  scratch, students trained from scratch.
"""
import copy
import dataclasses
import json
import os.path as osp
from typing import Dict, List, Optional

from mmengine.config import Config

from mmsakd.apis.experiment import point_to_data, sakd_hook_cfg, set_epochs
from mmsakd.datasets.synthetic import SOURCE_CLASSES, SyntheticActionConfig
from mmsakd.selection import check_choice
from mmsakd.utils.dataset_cfg import innermost, replay_training_views
from .configs import config_file

#: The dataset config whose training crop an augmenting regime adds.
AUG_DATA_CONFIG = '_base_/datasets/synthetic_action_aug.py'
#: Frames sampled from each clip by the synthetic configs, and frames
#: written per clip when augmenting: random offsets over 9 positions, each
#: window still holding both legs of a turn (docs/synthetic_dataset.md).
CLIP_LEN = 16
AUG_FRAMES = 24


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
        augment (bool): Train on clips of ``AUG_FRAMES`` frames through the
            random temporal offset and crop of ``AUG_DATA_CONFIG``, so that
            a clip (and the teacher's outputs on it) differs from epoch to
            epoch; False: 16-frame clips read whole. Validation sees the
            same centre 16 frames either way. Defaults to True.
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
    augment: bool = True

    def settings(self) -> Dict:
        """The regime as JSON-able settings."""
        return json.loads(json.dumps(dataclasses.asdict(self), default=list))

    def written(self, role: str) -> Optional[SyntheticActionConfig]:
        """The settings of the files of ``role`` (``'target'`` or
        ``'source'``): its dataset, in clips of ``AUG_FRAMES`` frames timed
        for ``CLIP_LEN`` when augmenting."""
        data = getattr(self, role)
        if data is None or not self.augment:
            return data
        return dataclasses.replace(
            data, num_frames=AUG_FRAMES, clip_len=CLIP_LEN)


#: The regimes on 16-frame clips read whole (``augment=False``), as the
#: studies before the augmented benchmark trained them; their calibration
#: (docs/benchmarks.md#two-regimes) holds on these clips.
WHOLE_CLIP_REGIMES: Dict[str, Regime] = dict(
    transfer=Regime(
        name='transfer',
        target=SyntheticActionConfig(num_train=500, num_val=300, seed=2),
        source=SyntheticActionConfig(
            num_train=1000, num_val=240, seed=1, classes=SOURCE_CLASSES),
        source_epochs=20,
        teacher_source_epochs=20,
        teacher_epochs=12,
        epochs=15,
        lr=2e-3,
        augment=False),
    scratch=Regime(
        name='scratch',
        target=SyntheticActionConfig(),
        teacher_epochs=10,
        epochs=15,
        augment=False),
)

#: The built-in regimes, on augmented clips. The random windows and crops
#: regularise the student alone about as much as a teacher's targets do, so
#: the transfer regime pretrains its student for 14 source epochs instead
#: of 20 (its teacher keeps 20), which widens the teacher's lead over the
#: student alone as the calibration asks
#: (docs/benchmarks.md#the-augmented-benchmark). The scratch teacher trains
#: 30 epochs instead of 10: on random windows and crops 10 epochs leave it
#: below the student alone, so it could not teach.
REGIMES: Dict[str, Regime] = dict(
    transfer=dataclasses.replace(
        WHOLE_CLIP_REGIMES['transfer'], source_epochs=14, augment=True),
    scratch=dataclasses.replace(
        WHOLE_CLIP_REGIMES['scratch'], teacher_epochs=30, augment=True),
)


def regime_named(name: str, augment: Optional[bool] = None) -> Regime:
    """The built-in regime ``name`` on augmented clips, or on clips read
    whole.

    Args:
        name (str): ``'transfer'`` or ``'scratch'``.
        augment (bool, optional): False: the regime of
            :data:`WHOLE_CLIP_REGIMES`, as the studies before the augmented
            benchmark ran it; True or None: the regime of :data:`REGIMES`.
            Defaults to None.

    Returns:
        Regime: The regime.
    """
    check_choice('regime', name, sorted(REGIMES))
    return (WHOLE_CLIP_REGIMES if augment is False else REGIMES)[name]


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


def data_roots(regime: Regime, data_dir: str) -> Dict[str, Optional[str]]:
    """Where the regime's datasets live: the default dataset at
    ``data_dir/synthetic`` for the default settings, else a folder per
    regime and role; ``_aug`` ends the folders of longer clips."""
    suffix = '_aug' if regime.augment else ''
    if regime.target == SyntheticActionConfig():
        target = osp.join(data_dir, 'synthetic' + suffix)
    else:
        target = osp.join(data_dir, f'{regime.name}_target{suffix}')
    source = None
    if regime.source is not None:
        source = osp.join(data_dir, f'{regime.name}_source{suffix}')
    return dict(target=target, source=source)


def adapt_to_regime(cfg: Config, regime: Regime, data_root: str, epochs: int,
                    seed: int, num_classes: int) -> Config:
    """Make ``cfg`` train on a regime's data: seed, data, its training
    crop and replayed views when augmenting, epochs, number of classes,
    the last checkpoint kept only, and a smoke run's loaders.

    Args:
        cfg (Config): A recognizer or distiller config, changed in place.
        regime (Regime): The regime.
        data_root (str): The synthetic dataset to train on.
        epochs (int): Epochs to train.
        seed (int): The run's seed.
        num_classes (int): Classes of the dataset.

    Returns:
        Config: ``cfg``.
    """
    cfg.randomness = dict(seed=seed, diff_rank_seed=False, deterministic=False)
    point_to_data(cfg, data_root)
    if regime.augment:
        add_train_crop(cfg)
        # Views as a function of (epoch, clip): an interrupted pretraining
        # or run resumes exactly, and runs with and without a teacher-output
        # store see the same views.
        replay_training_views(cfg)
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


def add_train_crop(cfg: Config) -> None:
    """Insert the crop steps of ``AUG_DATA_CONFIG``'s training pipeline
    after the decoding step of ``cfg``'s, unless it crops already; the
    other steps stay (the random temporal offset of a not-test-mode
    ``SampleFrames`` comes with the longer clips)."""
    aug = Config.fromfile(config_file(AUG_DATA_CONFIG)).train_pipeline
    crop = [s for s in aug if s['type'] in ('RandomResizedCrop', 'Resize')]
    pipeline = innermost(cfg.train_dataloader.dataset).pipeline
    types = [step['type'] for step in pipeline]
    if 'RandomResizedCrop' in types:
        return
    at = types.index('DecordDecode') + 1
    pipeline[at:at] = copy.deepcopy(crop)


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


def calibration(regime: Regime,
                prepared: Dict,
                summary: Dict,
                baseline: str = 'kd',
                alone: str = 'ce') -> Dict:
    """The regime's calibration figures and whether each target is met.

    Targets (3-seed means): teacher >= student alone + 8 points; vanilla KD
    >= student alone + 2 points; no run at 100 %; the student alone's mean
    curve reaches 80 % of its final gain over chance within the first
    fifth of the epochs; vanilla KD's last three mean validations within
    1 point (plateau).

    Args:
        regime (Regime): The regime.
        prepared (dict): :func:`~mmsakd.benchmark.pretrain.prepare`'s
            result.
        summary (dict): :func:`~mmsakd.benchmark.summary.aggregate`'s
            summary.
        baseline (str): The run of vanilla KD. Defaults to 'kd'.
        alone (str): The run of the student alone. Defaults to 'ce'.

    Returns:
        dict: The figures and ``checks``, a list of ``target`` and ``met``.
    """
    rows = {row['run']: row for row in summary['rows']}
    chance = 100. / len(regime.target.classes)
    out: Dict = dict(chance=chance, teacher_top1=prepared['teacher']['top1'])
    ce, kd = rows.get(alone), rows.get(baseline)
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


#: The calibration figures of results.md, in order, with their labels.
_FIGURES = (('teacher_top1', 'teacher top-1'), ('teacher_minus_ce',
                                                'teacher - student alone'),
            ('kd_minus_ce', 'vanilla KD - student alone'),
            ('ce_epoch_80pct_gain', 'epoch at which student alone reaches '
             '80 % of its final gain over chance'),
            ('kd_last3_spread',
             'spread of vanilla KD\'s last three mean validations'),
            ('best_mean_top1', 'best mean top-1'))


def calibration_section(calib: Dict) -> List[str]:
    """The lines of results.md's calibration section (none without
    checks)."""
    if not calib.get('checks'):
        return []
    lines = ['## Calibration', '']
    for key, label in _FIGURES:
        if calib.get(key) is not None:
            value = calib[key]
            value = f'{value:.1f}' if isinstance(value, float) else value
            lines.append(f'- {label}: {value}')
    lines.append('')
    for check in calib['checks']:
        lines.append(f'- {check["target"]}: '
                     f'**{"met" if check["met"] else "missed"}**')
    lines.append('')
    return lines


def describe(regime: Regime, prepared: Dict) -> Dict[str, str]:
    """What results.md says of the regime.

    Returns:
        dict: ``scope`` (the start of the settings sentence: clips,
        classes, epochs) and ``pretraining`` (a paragraph).
    """
    scope = (f'{regime.target.num_train} training / {regime.target.num_val} '
             f'validation clips of {len(regime.target.classes)} classes, ')
    if regime.augment:
        scope += (f'trained on random {CLIP_LEN}-frame windows and crops of '
                  f'{AUG_FRAMES}-frame clips, ')
    scope += f'{regime.epochs} epochs per run, '
    if regime.source is not None:
        teacher_epochs = regime.teacher_source_epochs
        if teacher_epochs in (None, regime.source_epochs):
            epochs = f'for {regime.source_epochs} epochs'
        else:
            epochs = (f'for {teacher_epochs} (teacher) and '
                      f'{regime.source_epochs} (student) epochs')
        pretraining = (
            f'Teacher and student pretrained on {regime.source.num_train} '
            f'clips of {len(regime.source.classes)} other motion classes '
            f'{epochs} (seed 0), teacher '
            f'fine-tuned on the target for {regime.teacher_epochs} '
            f'epochs: top-1 {prepared["teacher"]["top1"]:.1f} %. Every '
            'student run starts from the student\'s source weights.')
    else:
        pretraining = (f'Teacher trained on the target from scratch for '
                       f'{regime.teacher_epochs} epochs (seed 0): top-1 '
                       f'{prepared["teacher"]["top1"]:.1f} %. Students from '
                       'scratch.')
    return dict(scope=scope, pretraining=pretraining)
