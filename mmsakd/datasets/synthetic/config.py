"""Class names and settings of the synthetic action dataset
(docs/synthetic_dataset.md)."""
from dataclasses import dataclass, field
from typing import Optional, Tuple

from mmsakd.selection.checks import check_int

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


@dataclass
class SyntheticActionConfig:
    """Sizes and difficulty of the synthetic action dataset.

    Lengths are fractions of the frame side so that the task looks the same
    at every ``frame_size``, and durations are fractions of ``clip_len``
    frames so that it looks the same at every clip length.

    Args:
        num_train (int): Training clips. Defaults to 1000.
        num_val (int): Validation clips. Defaults to 300.
        num_frames (int): Frames written per clip, >= 4. Defaults to 16.
        clip_len (int, optional): Frames that the motion is timed for (the
            ``clip_len`` that a pipeline samples), in [4, num_frames]:
            speeds are frame sides per ``clip_len`` frames, periods and
            turns fractions of it. Longer clips extend that clip in time,
            :attr:`clip_start` frames before it (where ``SampleFrames``
            samples in test mode) and the rest after, so that a random
            temporal offset still sees the same motion. None, or
            ``num_frames``, times the motion for the whole clip (stored as
            None). Defaults to None.
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
        clips_per_group (int): Clips cut from each group's video, >= 1: the
            clips of a group share their class, background, actors, motion
            parameters, distractors and noise level, and differ where a
            video cut at another time does (docs/synthetic_dataset.md#groups),
            as the clips of a UCF101 group do. ``num_train`` and ``num_val``
            must be multiples of it; train and validation groups are
            distinct. 1: every clip drawn on its own. Defaults to 1.
    """
    num_train: int = 1000
    num_val: int = 300
    num_frames: int = 16
    clip_len: Optional[int] = None
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
    clips_per_group: int = 1

    def __post_init__(self) -> None:
        for name in ('num_train', 'num_val'):
            if getattr(self, name) < 0:
                raise ValueError(f'{name} must be >= 0, got '
                                 f'{getattr(self, name)}')
        check_int('num_frames', self.num_frames, 4)
        check_int('clips_per_group', self.clips_per_group, 1)
        for name in ('num_train', 'num_val'):
            if getattr(self, name) % self.clips_per_group:
                raise ValueError(
                    f'{name} must be a multiple of clips_per_group='
                    f'{self.clips_per_group}, got {getattr(self, name)}')
        if self.clip_len is not None:
            if isinstance(self.clip_len, bool) or not isinstance(
                    self.clip_len,
                    int) or not (4 <= self.clip_len <= self.num_frames):
                raise ValueError('clip_len must be None or an integer in '
                                 f'[4, num_frames={self.num_frames}], got '
                                 f'{self.clip_len!r}')
            if self.clip_len == self.num_frames:
                self.clip_len = None  # one spelling: configs compare equal
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

    @property
    def motion_len(self) -> int:
        """Frames that the motion is timed for (``clip_len`` or
        ``num_frames``)."""
        return self.clip_len or self.num_frames

    @property
    def clip_start(self) -> int:
        """First frame of the ``clip_len`` frames in a written clip: the
        offset of ``SampleFrames(clip_len, test_mode=True)``."""
        return (self.num_frames - self.motion_len) // 2

    def num_groups(self, split: str) -> int:
        """Groups of ``split`` (``'train'`` or ``'val'``)."""
        count = self.num_train if split == 'train' else self.num_val
        return count // self.clips_per_group
