"""Wall time of one vanilla-KD epoch vs one SAKD epoch (interval 1) and one
SAKD+ epoch.

Builds the teacher and student of a distillation config (default: the
paper's SlowFast R101 -> R50 on UCF101) with random initial weights (no
checkpoint is loaded; timing does not depend on the weights) and times, on
the same ``--num-clips`` synthetic clips at the config's input size:

- **vanilla KD**: one training epoch over every clip (teacher forward,
  student forward and backward, SGD step);
- **SAKD**: the scoring pass over every clip (interruption, teacher and
  student forward, per-sample KD loss, pooled and projected teacher
  features), the update and selection (Eq. 5-8), both the round that
  ``SAKDHook`` runs (:class:`mmsakd.engine.sakd.SAKDRound`), and the
  training epoch on the selected ``ratio`` of the clips;
- **vanilla KD with the teacher cache** (``model.teacher_cache``,
  docs/method.md#teacher-output-cache): a training epoch over every clip
  once the cache holds every clip's logits (logit losses only);
- **SAKD+** (configs/sakd_plus/): a round with the preset's candidate pool
  and selector (:class:`mmsakd.engine.sakd.CandidatePool`), scoring
  ``pool_factor * k`` new clips (the ``k`` clips of the last subset reuse
  their losses), and the training epoch on ``k = ceil(plus_ratio * N)``
  clips with the teacher cache;
- **vanilla KD with a warm teacher-output store**
  (:class:`~mmsakd.models.utils.TeacherOutputStore`,
  docs/method.md#teacher-output-store): a training epoch over every clip
  reading float16 logits from a memory-mapped store that holds them all
  (logit losses only);
- **multigrid KD** (docs/method.md#multigrid-kd): one epoch at each shape
  of the long cycle of :class:`~mmsakd.datasets.MultigridSchedule` (its
  defaults, short cycle included), with its batch sizes; the mean of those
  epochs, and the same with a warm store of every shape's logits (logit
  losses only).

By default the clips are held in device memory (a pool of distinct random
clips, indexed cyclically), so data loading and decoding are not timed: the
figures isolate the compute that SAKD changes. With ``--data-root`` the
clips are video files read through the config's own pipelines (decord
decoding, resizing and cropping in ``--num-workers`` loader workers): the
training pipeline for training, the validation pipeline for scoring, as
``SAKDHook`` does; the files are generated there with the synthetic
generator (``--size`` pixels square, as many frames as the training
pipeline samples) unless they exist, so every phase includes data loading.
Each phase is warmed up first and timed with device synchronisation.
Results go to stdout as a table and, with ``--out``, to a JSON file.

Example (one GPU)::

    python tools/analysis/benchmark_epoch.py --out work_dirs/bench_epoch.json
    python tools/analysis/benchmark_epoch.py --data-root data/bench_224 \\
        --num-workers 8 --out work_dirs/bench_epoch_loading.json
    python tools/analysis/benchmark_epoch.py --config \\
        configs/synthetic/kd_slowfast_tiny_synthetic.py --device cpu \\
        --num-clips 64 --clip-len 16 --size 32 --train-batch 8 \\
        --score-batch 16
"""
import argparse
import copy
import functools
import json
import math
import os
import os.path as osp
import platform
import sys
import tempfile
import time
from typing import Callable, Dict, Iterable, List, Optional

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar

import mmsakd  # noqa: F401  (compat fixes before mmaction.models)
from mmsakd.benchmark.multigrid_epochs import FileShapes, MemoryShapes
from mmsakd.datasets import MultigridSchedule
from mmsakd.datasets.synthetic import (SyntheticActionConfig,
                                       dataset_is_complete, generate_dataset)
from mmsakd.engine import build_scoring_loader
from mmsakd.engine.sakd import SAKDRound, SAKDState
from mmsakd.models.utils import (TeacherOutputCache, TeacherOutputStore,
                                 resolve_model_cfg)
from mmsakd.registry import DATASETS, MODELS
from mmsakd.selection import subset_size


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Time one vanilla-KD epoch against one SAKD epoch.')
    parser.add_argument(
        '--config',
        default='configs/kd_slowfast_ucf101.py',
        help='distillation config whose model is timed '
        '(default: %(default)s)')
    parser.add_argument('--num-clips', type=int, default=960)
    parser.add_argument(
        '--pool',
        type=int,
        default=96,
        help='distinct clips kept in memory (default: %(default)s)')
    parser.add_argument('--clip-len', type=int, default=32)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--num-classes', type=int, default=101)
    parser.add_argument('--train-batch', type=int, default=32)
    parser.add_argument('--score-batch', type=int, default=96)
    parser.add_argument('--ratio', type=float, default=0.1)
    parser.add_argument(
        '--epoch',
        type=int,
        default=10,
        help='epoch whose interruption rate the scoring pass uses '
        '(default: %(default)s)')
    parser.add_argument(
        '--plus-ratio',
        type=float,
        default=0.3,
        help='SAKD+ subset fraction (default: %(default)s)')
    parser.add_argument(
        '--pool-factor',
        type=float,
        default=0.5,
        help='SAKD+ new clips scored per round, in units of its subset '
        '(default: %(default)s)')
    parser.add_argument('--max-epochs', type=int, default=50)
    parser.add_argument(
        '--eta',
        type=float,
        default=0.5,
        help='dropout/shuffle threshold of the scoring pass '
        '(default: %(default)s)')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='bfloat16 autocast for training and scoring')
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--cudnn-benchmark',
        action='store_true',
        help='let cuDNN autotune its kernels for each new input shape; off '
        'by default, since an epoch timed once pays the autotuning of every '
        'batch shape it meets first (a short last batch, a subset, each '
        'multigrid shape), which a long run pays once')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--data-root',
        help='read the clips as video files from this synthetic dataset '
        'folder (generated there if missing) through the config\'s '
        'pipelines, so that data loading is timed')
    parser.add_argument(
        '--num-workers',
        type=int,
        default=4,
        help='loader workers with --data-root (default: %(default)s)')
    parser.add_argument('--out', help='write the results to this JSON file')
    args = parser.parse_args()
    for name in ('num_clips', 'pool', 'clip_len', 'size', 'train_batch',
                 'score_batch', 'max_epochs'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1')
    for name in ('ratio', 'plus_ratio'):
        value = getattr(args, name)
        if not 0 < value <= 1:
            parser.error(f'--{name.replace("_", "-")} must be in (0, 1], '
                         f'got {value}')
    if args.num_workers < 0:
        parser.error('--num-workers must be >= 0')
    if not args.pool_factor > 0:
        parser.error(f'--pool-factor must be > 0, got {args.pool_factor}')
    if not 0 <= args.epoch < args.max_epochs:
        parser.error('--epoch must be in [0, --max-epochs)')
    if not 0 < args.eta <= 1:
        parser.error(f'--eta must be in (0, 1], got {args.eta}')
    return args


def _without_pretrained(cfg):
    """Drop every ``pretrained`` weight and ``Pretrained`` init, so that
    building the model downloads nothing."""
    if isinstance(cfg, dict):
        out = {}
        for key, value in cfg.items():
            if key == 'pretrained':
                out[key] = None
            elif key == 'init_cfg' and isinstance(value, dict) and \
                    value.get('type') == 'Pretrained':
                continue
            else:
                out[key] = _without_pretrained(value)
        return out
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(_without_pretrained(v) for v in cfg)
    return cfg


def build_model(cfg: Config, num_classes: int, device: str):
    model_cfg = cfg.model.to_dict()
    for name in ('student', 'teacher'):
        resolved = _without_pretrained(
            resolve_model_cfg(model_cfg[name], name))
        resolved['cls_head']['num_classes'] = num_classes
        model_cfg[name] = resolved
    # Random weights time the same as trained ones.
    model_cfg['teacher_ckpt'] = None
    model_cfg['untrained_teacher'] = True
    model_cfg.pop('student_ckpt', None)
    model = MODELS.build(model_cfg)
    model.init_weights()
    return model.to(device)


class Clips(torch.utils.data.Dataset):
    """``num_clips`` clips indexed cyclically over a pool of random ones;
    item ``i`` is clip ``i`` packed as a pipeline packs it."""

    def __init__(self, num_clips: int, pool: int, clip_len: int, size: int,
                 num_classes: int, device: str, seed: int) -> None:
        generator = torch.Generator().manual_seed(seed)
        pool = min(pool, num_clips)
        self.videos = torch.randint(
            0,
            256, (pool, 1, 3, clip_len, size, size),
            dtype=torch.uint8,
            generator=generator).to(device)
        self.labels = torch.randint(
            0, num_classes, (num_clips, ), generator=generator)
        self.num_clips = num_clips

    def __len__(self) -> int:
        return self.num_clips

    def __getitem__(self, i: int) -> Dict:
        sample = ActionDataSample()
        sample.set_gt_label(int(self.labels[i]))
        sample.set_metainfo(dict(sample_idx=int(i)))
        return dict(
            inputs=self.videos[i % len(self.videos)], data_samples=sample)

    def batch(self, indices: List[int]) -> Dict:
        return pseudo_collate([self[i] for i in indices])

    def batches(self, indices: List[int], batch_size: int) -> Iterable[Dict]:
        return (self.batch(b) for b in _batches(indices, batch_size))

    def scoring_loader(self, batch_size: int, seed: int,
                       indices: Optional[List[int]]):
        return build_scoring_loader(
            self, batch_size, seed=seed, indices=indices)


def _sampled_frames(pipeline: List[dict]) -> int:
    """Frames that the pipeline's ``SampleFrames`` spans in one clip."""
    for step in pipeline:
        if step['type'] == 'SampleFrames':
            return step['clip_len'] * step.get('frame_interval', 1) * \
                step.get('num_clips', 1)
    raise ValueError('the training pipeline has no SampleFrames step')


class ClipFiles:
    """The config's training set on video files under ``root``, loaded
    through its real pipelines by ``num_workers`` workers, so that the
    epochs include reading, decoding and transforming the clips.

    ``num_clips`` clips of ``size`` x ``size`` pixels are generated under
    ``root`` with the synthetic generator unless they exist, with as many
    frames as the training pipeline's ``SampleFrames`` spans. A training
    pipeline without a fixed-size ``Resize`` gets one at ``size`` before
    ``FormatShape``, for the multigrid phase to set.
    """

    def __init__(self, cfg: Config, root: str, num_clips: int, size: int,
                 num_workers: int, seed: int) -> None:
        full = copy.deepcopy(cfg.to_dict())
        train_cfg = full['train_dataloader']['dataset']
        frames = _sampled_frames(train_cfg['pipeline'])
        synthetic = SyntheticActionConfig(
            num_train=num_clips,
            num_val=0,
            num_frames=frames,
            frame_size=size,
            seed=seed)
        if not dataset_is_complete(root, synthetic):
            print(
                f'generating {num_clips} clips of {frames}x{size}x{size} '
                f'in {root} ...',
                flush=True)
            generate_dataset(root, synthetic, num_workers=num_workers)
        if not any(
                step['type'] == 'Resize' and not step.get('keep_ratio', True)
                for step in train_cfg['pipeline']):
            # A no-op on clips generated at `size`, which the multigrid
            # phase sets to each shape's size.
            steps = [step['type'] for step in train_cfg['pipeline']]
            train_cfg['pipeline'].insert(
                steps.index('FormatShape'),
                dict(type='Resize', scale=(size, size), keep_ratio=False))
        place = dict(
            ann_file=osp.join(root, 'train.txt'),
            data_prefix=dict(video=osp.join(root, 'videos')))
        self.train = DATASETS.build(dict(train_cfg, **place))
        score_cfg = dict(
            train_cfg,
            pipeline=full['val_dataloader']['dataset']['pipeline'],
            test_mode=True,
            **place)
        self.scoring = DATASETS.build(score_cfg)
        self.labels = torch.tensor([
            int(self.train.get_data_info(i)['label'])
            for i in range(len(self.train))
        ])
        self.num_workers = num_workers

    def __len__(self) -> int:
        return len(self.train)

    def batches(self, indices: List[int], batch_size: int) -> Iterable[Dict]:
        return torch.utils.data.DataLoader(
            torch.utils.data.Subset(self.train, indices),
            batch_size=batch_size,
            num_workers=self.num_workers,
            collate_fn=pseudo_collate)

    def scoring_loader(self, batch_size: int, seed: int,
                       indices: Optional[List[int]]):
        return build_scoring_loader(self.scoring, batch_size, self.num_workers,
                                    seed, indices)


def _batches(indices: List[int], size: int) -> List[List[int]]:
    return [indices[i:i + size] for i in range(0, len(indices), size)]


def _sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def timed(device: str, fn: Callable, *args):
    _sync(device)
    start = time.perf_counter()
    result = fn(*args)
    _sync(device)
    return result, time.perf_counter() - start


def train_epoch(model, optim_wrapper, clips, indices: List[int],
                batch_size: int, title: str) -> None:
    """One training epoch over ``indices`` of ``clips`` (a :class:`Clips`
    or :class:`ClipFiles`)."""
    model.train()
    progress = ProgressBar(math.ceil(len(indices) / batch_size))
    for batch in clips.batches(indices, batch_size):
        model.train_step(batch, optim_wrapper)
        progress.update()
    print(f'  ({title})', flush=True)


def multigrid_cycle(model,
                    optim_wrapper,
                    shapes,
                    indices: List[int],
                    batch_size: int,
                    device: str,
                    title: str,
                    warm_up: bool = False) -> List[float]:
    """One training epoch at each long-cycle shape of ``shapes`` (a
    :class:`MemoryShapes` or :class:`FileShapes`); with ``warm_up``, only
    the first batch of each shape and size, untimed.

    Returns:
        list[float]: The seconds of each epoch.
    """
    model.train()
    times = []
    for epoch in range(len(shapes.schedule.long_cycle)):
        _sync(device)
        start = time.perf_counter()
        seen = set()
        for batch in shapes.batches(epoch, indices, batch_size):
            key = (tuple(batch['inputs'][0].shape), len(batch['inputs']))
            if warm_up and key in seen:
                continue
            seen.add(key)
            model.train_step(batch, optim_wrapper)
        _sync(device)
        times.append(time.perf_counter() - start)
        print(
            f'  ({title}, epoch {epoch}: '
            f'{shapes.schedule.describe(epoch, batch_size)})',
            flush=True)
    return times


def sakd_round(clips, args: argparse.Namespace, **parts) -> SAKDRound:
    """A SAKD round (``parts``: its components) scoring the device's
    clips."""
    scorer = dict(
        type='InterruptionScorer', eta=args.eta, batch_size=args.score_batch)
    sakd = SAKDRound(scorer=scorer, **parts)
    sakd.scorer.attach(lambda indices: clips.scoring_loader(
        args.score_batch, args.seed, indices))
    return sakd


def run_round(model, sakd: SAKDRound, state: SAKDState,
              args: argparse.Namespace, ratio: float, labels: torch.Tensor,
              title: str):
    """Run ``sakd`` on the clips (the scoring pass under bfloat16 autocast
    with ``--amp``)."""
    model.eval()
    autocast = None
    if args.amp:
        autocast = functools.partial(
            torch.autocast,
            device_type=args.device.split(':')[0],
            dtype=torch.bfloat16)
    result = sakd.run(
        model,
        state,
        args.epoch,
        args.max_epochs,
        ratio,
        labels,
        autocast=autocast)
    print(f'  ({title} round: scoring, selection)', flush=True)
    return result


#: The SAKD+ preset's hook settings, of which the epoch uses ``selector``
#: and ``alpha_min`` (``--plus-ratio`` and ``--pool-factor`` give the
#: rest).
PLUS_PRESET = Config.fromfile(
    osp.join(
        osp.dirname(__file__), '..', '..', 'configs', '_base_', 'distill',
        'sakd_plus.py')).sakd_plus_hook


def plus_state(sakd_state: SAKDState, sakd_losses: torch.Tensor,
               previous: List[int], seed: int) -> SAKDState:
    """The state of a SAKD+ round after a SAKD one: the clips of the last
    subset ``previous`` were trained since, with the SAKD round's losses
    ``sakd_losses`` (one per clip) standing in for their training
    losses."""
    state = SAKDState(len(sakd_state), seed=seed)
    state.train_loss[previous] = sakd_losses[previous]
    state.rounds = 1
    state.feat = torch.zeros_like(sakd_state.feat)
    state.feat[previous] = sakd_state.feat[previous]
    state.has_feat[previous] = True
    state.trained_since_round[previous] = True
    return state


def main() -> None:
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.backends.cudnn.benchmark = args.cudnn_benchmark
    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmsakd'))
    print(f'building {args.config} ...', flush=True)
    model = build_model(cfg, args.num_classes, args.device)
    optim_wrapper = build_optim_wrapper(
        model,
        dict(
            type='AmpOptimWrapper' if args.amp else 'OptimWrapper',
            **(dict(dtype='bfloat16') if args.amp else {}),
            optimizer=dict(
                type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4)))
    all_indices = list(range(args.num_clips))
    if args.data_root:
        clips = ClipFiles(cfg, args.data_root, args.num_clips, args.size,
                          args.num_workers, args.seed)
        shape = tuple(clips.train[0]['inputs'].shape)
        clip = 'x'.join(str(n) for n in shape[-3:])
    else:
        clips = Clips(args.num_clips, args.pool, args.clip_len, args.size,
                      args.num_classes, args.device, args.seed)
        clip = f'{args.clip_len}x{args.size}x{args.size}'

    # Warm-up: cuDNN autotuning and allocator growth for both batch sizes.
    warm = all_indices[:args.train_batch]
    train_epoch(model, optim_wrapper, clips, warm, args.train_batch,
                'warm-up, training')
    sakd = sakd_round(clips, args)
    model.eval()
    sakd.scorer(model, 0.3, args.epoch, args.seed,
                all_indices[:args.score_batch])
    if args.device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()

    print('vanilla KD epoch', flush=True)
    _, vanilla = timed(args.device, train_epoch, model, optim_wrapper, clips,
                       all_indices, args.train_batch, 'vanilla KD')

    print('SAKD epoch', flush=True)
    num = args.num_clips
    state = SAKDState(num, seed=args.seed)
    result, _ = timed(args.device, run_round, model, sakd, state, args,
                      args.ratio, clips.labels, 'SAKD')
    score_time, select_time = result.score_time, result.select_time
    model.set_sample_alpha(state.alpha)
    _, sakd_train = timed(args.device, train_epoch, model, optim_wrapper,
                          clips, sorted(state.subset), args.train_batch,
                          'SAKD training on the subset')
    sakd_total = score_time + select_time + sakd_train

    plus = None
    if getattr(model.kd_loss, 'teacher_logits_only', False):
        print('vanilla KD epoch with the teacher cache', flush=True)
        model.set_sample_alpha(None)
        model.teacher_cache = TeacherOutputCache()
        train_epoch(model, optim_wrapper, clips, all_indices, args.train_batch,
                    'filling the teacher cache')
        _, kd_cache = timed(args.device, train_epoch, model, optim_wrapper,
                            clips, all_indices, args.train_batch,
                            'vanilla KD, teacher cache')
        print('SAKD+ epoch', flush=True)
        previous = sorted(
            torch.randperm(
                num, generator=torch.Generator().manual_seed(
                    args.seed))[:subset_size(args.plus_ratio, num)].tolist())
        plus_sakd = sakd_round(
            clips,
            args,
            candidates=dict(
                type='CandidatePool',
                pool_factor=args.pool_factor,
                reuse_train_losses=True),
            selector={
                key: value
                for key, value in PLUS_PRESET.selector.items()
                if key != '_delete_'
            })
        after = plus_state(state, result.losses, previous, args.seed)
        plus_result, plus_round_time = timed(args.device, run_round, model,
                                             plus_sakd, after, args,
                                             args.plus_ratio, clips.labels,
                                             'SAKD+')
        model.set_sample_alpha(after.alpha.clamp(min=PLUS_PRESET.alpha_min))
        _, plus_train = timed(args.device, train_epoch, model, optim_wrapper,
                              clips, after.subset, args.train_batch,
                              'SAKD+ training on the subset, teacher cache')
        print('vanilla KD epoch with a warm teacher-output store', flush=True)
        model.teacher_cache = None
        model.set_sample_alpha(None)
        with tempfile.TemporaryDirectory() as folder:
            model.teacher_store = TeacherOutputStore(
                folder, dict(run='benchmark_epoch'), 1, num, args.num_classes)
            train_epoch(model, optim_wrapper, clips, all_indices,
                        args.train_batch, 'filling the teacher-output store')
            _, kd_store = timed(args.device, train_epoch, model, optim_wrapper,
                                clips, all_indices, args.train_batch,
                                'vanilla KD, teacher-output store')
            model.teacher_store = None
        plus = dict(
            kd_cache_epoch_s=kd_cache,
            kd_store_epoch_s=kd_store,
            kd_store_vs_vanilla=kd_store / vanilla,
            plus_round_s=plus_round_time,
            plus_train_s=plus_train,
            plus_epoch_s=plus_round_time + plus_train,
            plus_subset_size=len(after.subset),
            plus_scored=plus_result.scored,
            kd_cache_vs_vanilla=kd_cache / vanilla,
            plus_round_vs_vanilla=plus_round_time / vanilla,
            plus_vs_vanilla=(plus_round_time + plus_train) / vanilla)
    else:
        print(f'{type(model.kd_loss).__name__} reads more of the teacher '
              'than its logits: no teacher-cache or SAKD+ phases')

    print('multigrid KD epochs (one long cycle)', flush=True)
    model.set_sample_alpha(None)
    model.teacher_cache = None
    schedule = MultigridSchedule()
    # Clips the slow pathways of both networks can take.
    divisor = max(
        int(getattr(net.backbone, 'resample_rate', 1) or 1)
        for net in (model.student, model.teacher))
    shapes = FileShapes(clips.train, schedule, divisor, args.num_workers) \
        if args.data_root else MemoryShapes(clips, schedule, divisor)
    multigrid_cycle(model, optim_wrapper, shapes, all_indices,
                    args.train_batch, args.device, 'warm-up', True)
    mg_times = multigrid_cycle(model, optim_wrapper, shapes, all_indices,
                               args.train_batch, args.device, 'multigrid KD')
    multigrid = dict(
        multigrid_epochs_s=mg_times,
        multigrid_epoch_s=sum(mg_times) / len(mg_times),
        multigrid_vs_vanilla=sum(mg_times) / len(mg_times) / vanilla)
    if plus is not None:
        with tempfile.TemporaryDirectory() as folder:
            model.teacher_store = TeacherOutputStore(
                folder, dict(run='benchmark_epoch_multigrid'),
                len(schedule.long_cycle), num, args.num_classes)
            multigrid_cycle(model, optim_wrapper, shapes, all_indices,
                            args.train_batch, args.device,
                            'filling the teacher-output store')
            times = multigrid_cycle(model, optim_wrapper, shapes, all_indices,
                                    args.train_batch, args.device,
                                    'multigrid KD, teacher-output store')
            model.teacher_store = None
        multigrid.update(
            multigrid_store_epochs_s=times,
            multigrid_store_epoch_s=sum(times) / len(times),
            multigrid_store_vs_vanilla=sum(times) / len(times) / vanilla)

    results = dict(
        config=args.config,
        device=(torch.cuda.get_device_name(args.device)
                if args.device.startswith('cuda') else platform.processor()
                or 'cpu'),
        torch=torch.__version__,
        amp=args.amp,
        num_clips=num,
        clip=clip,
        data_loading=bool(args.data_root),
        num_workers=args.num_workers if args.data_root else None,
        train_batch=args.train_batch,
        score_batch=args.score_batch,
        ratio=args.ratio,
        subset_size=len(state.subset),
        interruption_rate=result.rate,
        eta=args.eta,
        vanilla_epoch_s=vanilla,
        sakd_score_s=score_time,
        sakd_select_s=select_time,
        sakd_train_s=sakd_train,
        sakd_epoch_s=sakd_total,
        sakd_vs_vanilla=sakd_total / vanilla,
        sakd_i5_vs_vanilla=(score_time + select_time) / 5 / vanilla +
        sakd_train / vanilla,
        peak_memory_gib=(torch.cuda.max_memory_allocated(args.device) /
                         2**30 if args.device.startswith('cuda') else None),
        **(plus or {}),
        **multigrid)
    rows = [('vanilla KD epoch', vanilla),
            ('SAKD scoring (all clips)', score_time),
            ('SAKD selection', select_time),
            (f'SAKD training ({len(state.subset)} clips)', sakd_train),
            ('SAKD epoch (interval 1)', sakd_total)]
    if plus is not None:
        rows += [('vanilla KD epoch, teacher cache', plus['kd_cache_epoch_s']),
                 ('SAKD+ round (pool scoring, selection)',
                  plus['plus_round_s']),
                 (f'SAKD+ training ({plus["plus_subset_size"]} clips, cache)',
                  plus['plus_train_s']), ('SAKD+ epoch', plus['plus_epoch_s']),
                 ('vanilla KD epoch, warm teacher-output store',
                  plus['kd_store_epoch_s'])]
    rows.append(('multigrid KD epoch (mean of the long cycle)',
                 multigrid['multigrid_epoch_s']))
    if 'multigrid_store_epoch_s' in multigrid:
        rows.append(('multigrid KD epoch, warm teacher-output store',
                     multigrid['multigrid_store_epoch_s']))
    print(f'\n{results["device"]}, {args.config}, {num} clips of '
          f'{results["clip"]}, batch {args.train_batch}/{args.score_batch}'
          f'{", bf16 autocast" if args.amp else ""}'
          f'{", data loading included" if args.data_root else ""}')
    print('| phase | seconds | clips/s | x vanilla |\n|---|---|---|---|')
    for name, seconds in rows:
        clips_done = num
        if name.startswith('SAKD training ('):
            clips_done = len(state.subset)
        elif name.startswith('SAKD+ training ('):
            clips_done = plus['plus_subset_size']
        elif name.startswith('SAKD+ round'):
            clips_done = plus['plus_scored']
        print(f'| {name} | {seconds:.2f} | {clips_done / seconds:.1f} | '
              f'{seconds / vanilla:.3f} |')
    print(f'SAKD every 5 epochs (scoring and selection amortised): '
          f'{results["sakd_i5_vs_vanilla"]:.3f} x vanilla')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=2)
        print(f'wrote {args.out}')
    if math.isnan(float(result.losses.sum())):
        raise RuntimeError('the scoring pass produced NaN losses')


if __name__ == '__main__':
    main()
