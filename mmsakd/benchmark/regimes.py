"""The built-in regimes of the SAKD benchmark: synthetic data, schedule and
pretraining (docs/benchmarks.md#two-regimes), what a regime changes in a
run's config, and how results.md describes it (its calibration checks are
in :mod:`.calibration`).

- ``transfer``, the paper's UCF101 setting in miniature: teacher and student
  are pretrained on a *source* dataset of other motion classes (the role of
  Kinetics-400), the teacher is fine-tuned on the *target* dataset (the
  role of UCF101), and every student run on the target starts from the
  student's source weights;
- ``scratch``: the default synthetic dataset, a teacher trained on it from
  scratch, students trained from scratch;
- ``grouped``: ``transfer`` with a target whose clips come in groups cut
  from one video, as UCF101's do (docs/synthetic_dataset.md#groups), split
  into training and validation by group; it shares the transfer regime's
  source and source pretraining.
"""
import copy
import dataclasses
import json
import os.path as osp
from typing import Dict, Optional

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
        name (str): ``'transfer'``, ``'scratch'`` or ``'grouped'`` (or a
            variant's name).
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
        source_name (str, optional): The name of the source dataset's folder
            and of the checkpoints pretrained on it, so that regimes with
            the same source share them; None: ``name``. Defaults to None.
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
    source_name: Optional[str] = None

    @property
    def source_prefix(self) -> str:
        """The name that the source dataset and its pretrained checkpoints
        go by."""
        return self.source_name or self.name

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
#: The grouped target: 10 classes x 10 groups x 5 clips for training and 60
#: other groups of 5 for validation (UCF101 has 25 groups of 4-7 clips per
#: class and tests on 7 of them). At r = 0.1 a subset of 50 clips could
#: cover half of the 100 training groups with one clip each.
GROUPED_TARGET = SyntheticActionConfig(
    num_train=500, num_val=300, seed=3, clips_per_group=5)
REGIMES['grouped'] = dataclasses.replace(
    REGIMES['transfer'],
    name='grouped',
    target=GROUPED_TARGET,
    source_name='transfer')


def regime_named(name: str, augment: Optional[bool] = None) -> Regime:
    """The built-in regime ``name`` on augmented clips, or on clips read
    whole.

    Args:
        name (str): ``'transfer'``, ``'scratch'`` or ``'grouped'`` (only
            augmented).
        augment (bool, optional): False: the regime of
            :data:`WHOLE_CLIP_REGIMES`, as the studies before the augmented
            benchmark ran it; True or None: the regime of :data:`REGIMES`.
            Defaults to None.

    Returns:
        Regime: The regime.
    """
    check_choice('regime', name, sorted(REGIMES))
    if augment is False:
        if name not in WHOLE_CLIP_REGIMES:
            raise ValueError(f'the {name} regime trains on augmented clips '
                             'only; clips read whole exist for '
                             f'{sorted(WHOLE_CLIP_REGIMES)}')
        return WHOLE_CLIP_REGIMES[name]
    return REGIMES[name]


def quick_regime(regime: Regime) -> Regime:
    """``regime`` on a few dozen clips for two epochs: a smoke run."""
    source = regime.source and dataclasses.replace(
        regime.source, num_train=36, num_val=12)
    # Whole groups; grouped labels are balanced over groups, so a smoke
    # run's few groups hold only some of the classes.
    per_group = regime.target.clips_per_group
    target = dataclasses.replace(
        regime.target,
        num_train=max(1, 24 // per_group) * per_group,
        num_val=max(1, 12 // per_group) * per_group)
    return dataclasses.replace(
        regime,
        target=target,
        source=source,
        source_epochs=1 if source else 0,
        teacher_source_epochs=None,
        teacher_epochs=1,
        epochs=2,
        quick=True)


def data_roots(regime: Regime, data_dir: str) -> Dict[str, Optional[str]]:
    """Where the regime's datasets live: the default dataset at
    ``data_dir/synthetic`` for the default settings, else
    ``<name>_target`` and ``<source_prefix>_source`` (shared by regimes
    with the same source); ``_aug`` ends the folders of longer clips."""
    suffix = '_aug' if regime.augment else ''
    if regime.target == SyntheticActionConfig():
        target = osp.join(data_dir, 'synthetic' + suffix)
    else:
        target = osp.join(data_dir, f'{regime.name}_target{suffix}')
    source = None
    if regime.source is not None:
        source = osp.join(data_dir, f'{regime.source_prefix}_source{suffix}')
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


def describe(regime: Regime, prepared: Dict) -> Dict[str, str]:
    """What results.md says of the regime.

    Returns:
        dict: ``scope`` (the start of the settings sentence: clips,
        classes, epochs) and ``pretraining`` (a paragraph).
    """
    scope = (f'{regime.target.num_train} training / {regime.target.num_val} '
             f'validation clips of {len(regime.target.classes)} classes, ')
    per_group = regime.target.clips_per_group
    if per_group > 1:
        scope += (f'in {regime.target.num_groups("train")} / '
                  f'{regime.target.num_groups("val")} groups of {per_group} '
                  'clips cut from one video, ')
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
