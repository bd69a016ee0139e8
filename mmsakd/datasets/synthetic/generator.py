"""A synthetic action-video dataset whose classes differ only in motion.

Every clip shows one *actor* (a bar) on a cluttered, textured background with
small distractor blobs, camera jitter, flicker and pixel noise. The actor's
appearance (colour, size, orientation, contrast) and position are drawn from
the same distribution for every class, so a single frame carries no
information about the label; only how the actor moves over time does:

=====  ==================  ====================================================
label  name                motion of the actor
=====  ==================  ====================================================
0      move_right          straight line to the right (direction +-25 deg)
1      move_left           straight line to the left
2      move_up             straight line upwards
3      move_down           straight line downwards
4      rotate_cw           spins clockwise about its centre, slight drift
5      rotate_ccw          spins counter-clockwise
6      oscillate_fast      back and forth along a random axis, short period
7      oscillate_slow      back and forth, long period
8      right_then_up       moves right, then turns and moves up
9      up_then_right       moves up, then turns and moves right
=====  ==================  ====================================================

Clips are written as ``.mp4`` (OpenCV ``mp4v``) with MMAction2
``VideoDataset`` annotation lists. Each clip is drawn from its own generator
seeded by ``(seed, split, index)``, so the same seed gives the same files
whatever the number of workers, and a larger dataset extends a smaller one.
"""
import json
import math
import os
import os.path as osp
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

CLASSES: Tuple[str, ...] = ('move_right', 'move_left', 'move_up', 'move_down',
                            'rotate_cw', 'rotate_ccw', 'oscillate_fast',
                            'oscillate_slow', 'right_then_up', 'up_then_right')
#: Motions of the transfer benchmark's source dataset (the role of
#: Kinetics-400 to the default classes' UCF101): diagonal moves, the turns
#: and oscillation axes that the default classes lack. None of them is a
#: default class, so a model pretrained on them has learnt motion features
#: but not the target's classes (docs/synthetic_dataset.md).
SOURCE_CLASSES: Tuple[str,
                      ...] = ('move_up_right', 'move_up_left',
                              'move_down_right', 'move_down_left',
                              'right_then_down', 'left_then_up',
                              'left_then_down', 'up_then_left',
                              'down_then_right', 'down_then_left',
                              'oscillate_horizontal', 'oscillate_vertical')
#: Every motion the generator can render.
MOTIONS: Tuple[str, ...] = CLASSES + SOURCE_CLASSES
SPLITS: Tuple[str, ...] = ('train', 'val')
# Frame sizes that OpenCV's mp4v writes and decord 0.6.0 reads back intact
# (48 and 72 do not decode).
DECODABLE_SIZES: Tuple[int, ...] = (32, 40, 56, 64, 80, 96, 112, 128)
_SHIFT = 4  # fractional bits for sub-pixel drawing with cv2
_SCALE = 1 << _SHIFT


@dataclass
class SyntheticActionConfig:
    """Sizes and difficulty of the synthetic action dataset.

    Lengths are fractions of the frame side so that the task looks the same
    at every ``frame_size``.

    Args:
        num_train (int): Training clips. Defaults to 1000.
        num_val (int): Validation clips. Defaults to 300.
        num_frames (int): Frames per clip. Defaults to 16.
        frame_size (int): Side of the square frames, one of
            ``DECODABLE_SIZES``. Defaults to 32.
        fps (int): Frame rate written in the files. Defaults to 8.
        seed (int): Seed of the whole dataset. Defaults to 0.
        speed (tuple): Actor speed range, frame sides per clip.
            Defaults to (0.25, 0.6).
        angle_jitter (float): Largest deviation of a straight motion from its
            class direction, degrees. Defaults to 25.
        spin (tuple): Rotation range, degrees per frame. Defaults to (6, 16).
        fast_period (tuple): Oscillation period of ``oscillate_fast``,
            fraction of the clip. Defaults to (0.2, 0.33).
        slow_period (tuple): Oscillation period of ``oscillate_slow``,
            fraction of the clip. Defaults to (0.5, 1.0).
        contrast (tuple): Actor contrast to the background, 0 to 1.
            Defaults to (0.25, 1.0).
        num_actors (tuple): Inclusive range of actors, which all perform
            the clip's action. Defaults to (3, 5).
        num_distractors (tuple): Inclusive range of distractor blobs.
            Defaults to (1, 4).
        num_clutter (tuple): Inclusive range of static background shapes.
            Defaults to (2, 5).
        camera_jitter (float): Largest camera shake, frame sides.
            Defaults to 0.04.
        noise (tuple): Range of the per-clip pixel noise std (0-255 scale).
            Defaults to (3, 14).
        flicker (float): Std of the per-frame brightness change.
            Defaults to 5.
        classes (tuple): Class names in label order, distinct, from
            ``MOTIONS`` (e.g. ``SOURCE_CLASSES``). Defaults to ``CLASSES``.
    """
    num_train: int = 1000
    num_val: int = 300
    num_frames: int = 16
    frame_size: int = 32
    fps: int = 8
    seed: int = 0
    speed: Tuple[float, float] = (0.5, 0.9)
    angle_jitter: float = 25.0
    spin: Tuple[float, float] = (10.0, 22.0)
    fast_period: Tuple[float, float] = (0.2, 0.33)
    slow_period: Tuple[float, float] = (0.5, 1.0)
    contrast: Tuple[float, float] = (0.25, 1.0)
    num_actors: Tuple[int, int] = (3, 5)
    num_distractors: Tuple[int, int] = (1, 4)
    num_clutter: Tuple[int, int] = (2, 5)
    camera_jitter: float = 0.04
    noise: Tuple[float, float] = (3.0, 14.0)
    flicker: float = 5.0
    classes: Tuple[str, ...] = field(default=CLASSES, repr=False)

    def __post_init__(self) -> None:
        for name in ('num_train', 'num_val'):
            if getattr(self, name) < 0:
                raise ValueError(f'{name} must be >= 0, got '
                                 f'{getattr(self, name)}')
        if self.num_frames < 4:
            raise ValueError(f'num_frames must be >= 4, got {self.num_frames}')
        if self.frame_size not in DECODABLE_SIZES:
            raise ValueError(
                f'frame_size must be one of {DECODABLE_SIZES} (sizes that '
                f'decord decodes from mp4v files), got {self.frame_size}')
        if self.fps <= 0:
            raise ValueError(f'fps must be > 0, got {self.fps}')
        for name in ('speed', 'spin', 'fast_period', 'slow_period', 'contrast',
                     'num_actors', 'num_distractors', 'num_clutter', 'noise'):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise ValueError(f'{name} must be a range (low, high) with '
                                 f'0 <= low <= high, got {(low, high)}')
        self.classes = tuple(self.classes)
        unknown = [name for name in self.classes if name not in MOTIONS]
        if unknown or len(set(self.classes)) != len(self.classes) or len(
                self.classes) < 2:
            raise ValueError('classes must be at least 2 distinct names from '
                             f'{MOTIONS}, got {self.classes}')


def _rng(seed: int, split: str, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, SPLITS.index(split), index])


def clip_label(seed: int,
               split: str,
               index: int,
               num_classes: int = len(CLASSES)) -> int:
    """Label of a clip; balanced classes in a seeded random order."""
    block, offset = divmod(index, num_classes)
    order = np.random.default_rng([seed,
                                   SPLITS.index(split), 1 << 30,
                                   block]).permutation(num_classes)
    return int(order[offset])


def _background(rng: np.random.Generator, size: int,
                num_clutter: Tuple[int, int]) -> np.ndarray:
    """Gradient plus low-frequency texture plus static clutter, float32."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / size
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * xs + np.sin(angle) * ys
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    col_a, col_b = rng.uniform(30, 225, size=(2, 3)).astype(np.float32)
    bg = col_a + ramp[..., None] * (col_b - col_a)
    grid = rng.normal(0, 18, size=(4, 4, 3)).astype(np.float32)
    bg += cv2.resize(grid, (size, size), interpolation=cv2.INTER_CUBIC)
    for _ in range(rng.integers(num_clutter[0], num_clutter[1] + 1)):
        color = tuple(float(c) for c in rng.uniform(0, 255, size=3))
        center = rng.uniform(0, size, size=2)
        extent = rng.uniform(0.05, 0.16) * size
        if rng.random() < 0.5:
            cv2.circle(bg, _fixed(center), int(extent * _SCALE), color, -1,
                       cv2.LINE_AA, _SHIFT)
        else:
            half = rng.uniform(0.5, 1.0, size=2) * extent
            pts = np.array([
                center - half, center + [half[0], -half[1]], center + half,
                center + [-half[0], half[1]]
            ])
            cv2.fillConvexPoly(bg, _fixed(pts), color, cv2.LINE_AA, _SHIFT)
    return bg


def _fixed(points) -> np.ndarray:
    """Coordinates in cv2's fixed-point format (``_SHIFT`` fraction bits)."""
    return np.round(np.asarray(points) * _SCALE).astype(np.int32)


def _bar_corners(center: np.ndarray, length: float, width: float,
                 angle: float) -> np.ndarray:
    along = np.array([math.cos(angle), math.sin(angle)]) * length / 2
    across = np.array([-math.sin(angle), math.cos(angle)]) * width / 2
    return np.stack([
        center - along - across, center + along - across,
        center + along + across, center - along + across
    ])


def _actor_track(label: int, cfg: SyntheticActionConfig,
                 rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """Centre (T, 2) in frame sides and bar angle (T,) in radians.

    Positions are relative to a start point chosen afterwards, so that the
    whole track fits in the frame.
    """
    t_len = cfg.num_frames
    t = np.arange(t_len, dtype=np.float64)
    name = cfg.classes[label]
    angle0 = rng.uniform(0, np.pi)
    angles = np.full(t_len, angle0)
    speed = rng.uniform(*cfg.speed) / (t_len - 1)  # frame sides per frame
    jitter = np.deg2rad(rng.uniform(-cfg.angle_jitter, cfg.angle_jitter))
    # Image y grows downwards: "up" is -y.
    directions = dict(
        right=0.0,
        left=np.pi,
        up=-np.pi / 2,
        down=np.pi / 2,
        up_right=-np.pi / 4,
        up_left=-3 * np.pi / 4,
        down_right=np.pi / 4,
        down_left=3 * np.pi / 4)

    def straight(direction: float, steps: np.ndarray) -> np.ndarray:
        unit = np.array([math.cos(direction), math.sin(direction)])
        return steps[:, None] * speed * unit[None]

    if name.startswith('move_'):
        track = straight(directions[name[5:]] + jitter, t)
    elif name.startswith('rotate_'):
        sign = 1.0 if name == 'rotate_cw' else -1.0
        spin = np.deg2rad(rng.uniform(*cfg.spin))
        angles = angle0 + sign * spin * t
        drift = rng.uniform(0, 2 * np.pi)
        track = straight(drift, t) * 0.15
    elif name.startswith('oscillate_'):
        if name in ('oscillate_fast', 'oscillate_slow'):
            period_range = (
                cfg.fast_period
                if name == 'oscillate_fast' else cfg.slow_period)
        else:  # a fixed axis, any period
            period_range = (cfg.fast_period[0], cfg.slow_period[1])
        period = rng.uniform(*period_range) * t_len
        amplitude = rng.uniform(0.15, 0.28)
        axis = rng.uniform(0, np.pi)
        if name == 'oscillate_horizontal':
            axis = jitter
        elif name == 'oscillate_vertical':
            axis = np.pi / 2 + jitter
        phase = rng.uniform(0, 2 * np.pi)
        offset = amplitude * np.sin(2 * np.pi * t / period + phase)
        track = offset[:, None] * np.array([math.cos(axis),
                                            math.sin(axis)])[None]
    else:  # right_then_up / up_then_right
        first, second = name.split('_then_')
        turn = rng.uniform(0.35, 0.65) * (t_len - 1)
        before = np.minimum(t, turn)
        after = np.maximum(t - turn, 0)
        track = (
            straight(directions[first] + jitter, before) +
            straight(directions[second] + jitter, after))
    return track, angles


def render_clip(label: int, cfg: SyntheticActionConfig,
                rng: np.random.Generator) -> np.ndarray:
    """Render one clip of class ``label``.

    Returns:
        np.ndarray: ``(T, H, W, 3)`` uint8 frames in BGR order (OpenCV's).
    """
    size, t_len = cfg.frame_size, cfg.num_frames
    bg = _background(rng, size, cfg.num_clutter)

    track, angles = _actor_track(label, cfg, rng)
    bg_mean = bg.reshape(-1, 3).mean(axis=0)
    num_actors = rng.integers(cfg.num_actors[0], cfg.num_actors[1] + 1)
    actors = []
    for _ in range(num_actors):
        # Each actor follows the class motion from its own start point,
        # wrapping around the frame edges so that long tracks fit.
        start = rng.uniform(0, 1, size=2)
        centers = np.mod(track + start, 1.0) * size
        spin = angles - angles[0] + rng.uniform(0, np.pi)
        length = rng.uniform(0.2, 0.35) * size
        width = rng.uniform(0.08, 0.14) * size
        target = rng.uniform(0, 255, size=3)
        contrast = rng.uniform(*cfg.contrast)
        # Push the colour away from the background mean by `contrast`.
        away = target - bg_mean
        norm = float(np.linalg.norm(away)) or 1.0
        color = np.clip(bg_mean + away / norm * max(norm, 255 * contrast), 0,
                        255)
        actors.append(
            (centers, spin, length, width, tuple(float(c) for c in color)))

    num_distractors = rng.integers(cfg.num_distractors[0],
                                   cfg.num_distractors[1] + 1)
    d_pos = rng.uniform(0.1, 0.9, size=(num_distractors, 2)) * size
    d_vel = rng.normal(0, 0.02, size=(num_distractors, 2)) * size
    d_radius = rng.uniform(0.04, 0.08, size=num_distractors) * size
    d_color = rng.uniform(0, 255, size=(num_distractors, 3))

    shake = np.cumsum(rng.normal(0, 0.5, size=(t_len, 2)), axis=0)
    shake = shake / max(float(np.abs(shake).max()), 1e-6)
    shake *= cfg.camera_jitter * size * rng.uniform(0.3, 1.0)
    noise_std = rng.uniform(*cfg.noise)

    frames = np.empty((t_len, size, size, 3), dtype=np.uint8)
    for i in range(t_len):
        frame = bg.copy()
        for j in range(num_distractors):
            # Jerky random walk: distinct from the actor's smooth motion.
            d_vel[j] = 0.6 * d_vel[j] + rng.normal(0, 0.03, size=2) * size
            d_pos[j] = np.clip(d_pos[j] + d_vel[j], 0, size - 1)
            cv2.circle(frame, _fixed(d_pos[j]), int(d_radius[j] * _SCALE),
                       tuple(float(c) for c in d_color[j]), -1, cv2.LINE_AA,
                       _SHIFT)
        for centers, spin, length, width, color in actors:
            corners = _bar_corners(centers[i], length, width, spin[i])
            cv2.fillConvexPoly(frame, _fixed(corners), color, cv2.LINE_AA,
                               _SHIFT)
        warp = np.float32([[1, 0, shake[i, 0]], [0, 1, shake[i, 1]]])
        frame = cv2.warpAffine(
            frame, warp, (size, size), borderMode=cv2.BORDER_REFLECT)
        frame += rng.normal(
            0, noise_std, size=frame.shape).astype(np.float32) + rng.normal(
                0, cfg.flicker)
        frames[i] = np.clip(frame, 0, 255).astype(np.uint8)
    return frames


def write_video(path: str, frames: np.ndarray, fps: int) -> None:
    """Write ``(T, H, W, 3)`` BGR uint8 frames as an ``mp4v`` file.

    Raises:
        RuntimeError: If OpenCV cannot open a writer for ``path``.
    """
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (width, height))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV could not open an mp4v writer for {path}')
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()


def clip_relpath(split: str, index: int) -> str:
    return f'{split}/{split}_{index:05d}.mp4'


def _generate_one(args: Tuple[SyntheticActionConfig, str, int, str]) -> str:
    cfg, split, index, root = args
    label = clip_label(cfg.seed, split, index, len(cfg.classes))
    frames = render_clip(label, cfg, _rng(cfg.seed, split, index))
    relpath = clip_relpath(split, index)
    path = osp.join(root, 'videos', relpath)
    tmp_path = path[:-4] + '.tmp.mp4'
    write_video(tmp_path, frames, cfg.fps)
    os.replace(tmp_path, path)  # a killed run never leaves a half file
    return f'{relpath} {label}'


def annotation_paths(root: str) -> Dict[str, str]:
    """Files that :func:`generate_dataset` writes under ``root``."""
    return dict(
        train=osp.join(root, 'train.txt'),
        val=osp.join(root, 'val.txt'),
        classes=osp.join(root, 'classes.txt'),
        meta=osp.join(root, 'meta.json'),
        videos=osp.join(root, 'videos'))


def dataset_is_complete(root: str,
                        cfg: Optional[SyntheticActionConfig] = None) -> bool:
    """Whether ``root`` holds a finished dataset (made with ``cfg``)."""
    paths = annotation_paths(root)
    if not all(osp.isfile(paths[k]) for k in ('train', 'val', 'meta')):
        return False
    if cfg is None:
        return True
    with open(paths['meta']) as f:
        return json.load(f).get('config') == _jsonable(cfg)


def _jsonable(cfg: SyntheticActionConfig) -> dict:
    return json.loads(json.dumps(asdict(cfg)))


def generate_dataset(root: str,
                     cfg: Optional[SyntheticActionConfig] = None,
                     num_workers: int = 0,
                     splits: Sequence[str] = SPLITS) -> Dict[str, str]:
    """Generate the dataset under ``root``.

    Layout::

        root/
            videos/train/train_00000.mp4 ...
            videos/val/val_00000.mp4 ...
            train.txt      # "train/train_00000.mp4 <label>" per line
            val.txt
            classes.txt    # one class name per line, line i is label i
            meta.json      # the config used, written last

    Annotation files are written only after all their clips exist, and
    ``meta.json`` last, so an interrupted run is detected and redone.

    Args:
        root (str): Output folder. Existing clips are overwritten.
        cfg (SyntheticActionConfig, optional): Sizes and difficulty.
            Defaults to None, meaning ``SyntheticActionConfig()``.
        num_workers (int): Worker processes; 0 renders in this process.
            Defaults to 0.
        splits (Sequence[str]): Splits to generate. Defaults to
            ``('train', 'val')``.

    Returns:
        dict: The paths of :func:`annotation_paths`.
    """
    from mmengine.utils import track_parallel_progress, track_progress

    cfg = cfg or SyntheticActionConfig()
    paths = annotation_paths(root)
    if osp.exists(paths['meta']):
        os.remove(paths['meta'])
    for split in splits:
        if split not in SPLITS:
            raise ValueError(f'splits must be among {SPLITS}, got {split!r}')
        os.makedirs(osp.join(paths['videos'], split), exist_ok=True)
        count = cfg.num_train if split == 'train' else cfg.num_val
        tasks = [(cfg, split, i, root) for i in range(count)]
        if num_workers > 0 and count > 0:
            lines = track_parallel_progress(
                _generate_one, tasks, nproc=num_workers, chunksize=8)
        elif count > 0:
            lines = track_progress(_generate_one, tasks)
        else:
            lines = []
        with open(paths[split], 'w') as f:
            f.writelines(line + '\n' for line in lines)
    with open(paths['classes'], 'w') as f:
        f.writelines(name + '\n' for name in cfg.classes)
    with open(paths['meta'], 'w') as f:
        json.dump(
            dict(config=_jsonable(cfg), classes=list(cfg.classes)),
            f,
            indent=2)
    return paths


def read_annotations(ann_file: str) -> List[Tuple[str, int]]:
    """Read a ``VideoDataset`` list; errors name the file and line."""
    items = []
    with open(ann_file) as f:
        for line_no, line in enumerate(f, 1):
            parts = line.split()
            if len(parts) != 2 or not parts[1].lstrip('-').isdigit():
                raise ValueError(f'{ann_file}:{line_no}: expected '
                                 f'"<path> <label>", got {line.rstrip()!r}')
            items.append((parts[0], int(parts[1])))
    return items
