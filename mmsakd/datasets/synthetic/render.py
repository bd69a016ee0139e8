"""Drawing a clip of the synthetic dataset: a textured, cluttered
background, actors that follow their class's motion, distractor blobs,
camera shake, flicker and pixel noise."""
import math
from typing import Optional, Tuple

import cv2
import numpy as np

from .config import SyntheticActionConfig
from .motions import actor_track

_SHIFT = 4  # fractional bits for sub-pixel drawing with cv2
_SCALE = 1 << _SHIFT
#: Largest shift of an actor's start point between the clips of a group,
#: frame sides: the clips are cut at other times of one video, so the
#: actors are elsewhere along their tracks, near where the group puts them.
GROUP_SHIFT = 0.2


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


def _walk_distractors(pos: np.ndarray, vel: np.ndarray,
                      rng: np.random.Generator, size: int) -> None:
    """One step of the distractors' jerky random walk, in place: distinct
    from the actors' smooth motion."""
    for j in range(len(pos)):
        vel[j] = 0.6 * vel[j] + rng.normal(0, 0.03, size=2) * size
        pos[j] = np.clip(pos[j] + vel[j], 0, size - 1)


def render_clip(label: int,
                cfg: SyntheticActionConfig,
                rng: np.random.Generator,
                clip_rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Render one clip of class ``label``.

    The ``cfg.motion_len`` frames from ``cfg.clip_start`` are drawn first,
    so that they do not depend on ``cfg.num_frames``: a longer clip is the
    same clip with more frames around it, which continue its camera shake
    and distractors (forwards after it, backwards before it).

    Args:
        label (int): The class.
        cfg (SyntheticActionConfig): The dataset's settings.
        rng (np.random.Generator): Draws what the clips of a group share,
            as one long video fixes it: background and clutter, the
            actors' number, shape, colour, start region and motion
            parameters, the distractors' number, size and colour, the
            camera shake's amplitude and the noise level.
        clip_rng (np.random.Generator, optional): Draws what cutting the
            video at another time changes: the actors' positions (within
            ``GROUP_SHIFT`` of the group's), a spinning bar's angle, an
            oscillation's phase, a turn's time, the distractors' positions
            and walks, the camera's walk, pixel noise and flicker. None:
            ``rng`` draws everything, in the same order, so an ungrouped
            clip is unchanged. Defaults to None.

    Returns:
        np.ndarray: ``(T, H, W, 3)`` uint8 frames in BGR order (OpenCV's).
    """
    grouped = clip_rng is not None and clip_rng is not rng
    clip_rng = rng if clip_rng is None else clip_rng
    size, t_len = cfg.frame_size, cfg.num_frames
    first, stop = cfg.clip_start, cfg.clip_start + cfg.motion_len
    bg = _background(rng, size, cfg.num_clutter)

    track, angles = actor_track(label, cfg, rng, clip_rng)
    bg_mean = bg.reshape(-1, 3).mean(axis=0)
    num_actors = rng.integers(cfg.num_actors[0], cfg.num_actors[1] + 1)
    actors = []
    for _ in range(num_actors):
        # Each actor follows the class motion from its own start point,
        # wrapping around the frame edges so that long tracks fit.
        start = rng.uniform(0, 1, size=2)
        if grouped:
            start = start + clip_rng.uniform(-GROUP_SHIFT, GROUP_SHIFT, size=2)
        centers = np.mod(track + start, 1.0) * size
        spin = angles - angles[first] + rng.uniform(0, np.pi)
        if grouped and np.ptp(angles) > 0:
            # A spinning bar is at another angle when the video is cut at
            # another time.
            spin = spin + clip_rng.uniform(0, np.pi)
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
    d_pos = clip_rng.uniform(0.1, 0.9, size=(num_distractors, 2)) * size
    d_vel = clip_rng.normal(0, 0.02, size=(num_distractors, 2)) * size
    d_radius = rng.uniform(0.04, 0.08, size=num_distractors) * size
    d_color = [
        tuple(float(c) for c in color)
        for color in rng.uniform(0, 255, size=(num_distractors, 3))
    ]

    walk = np.cumsum(clip_rng.normal(0, 0.5, size=(stop - first, 2)), axis=0)
    walk_max = max(float(np.abs(walk).max()), 1e-6)
    amplitude = cfg.camera_jitter * size * rng.uniform(0.3, 1.0)
    shake = walk / walk_max
    shake *= amplitude
    noise_std = rng.uniform(*cfg.noise)

    def draw(i: int, offset: np.ndarray, pos: np.ndarray) -> np.ndarray:
        frame = bg.copy()
        for center, radius, color in zip(pos, d_radius, d_color):
            cv2.circle(frame, _fixed(center), int(radius * _SCALE), color, -1,
                       cv2.LINE_AA, _SHIFT)
        for centers, spin, length, width, color in actors:
            corners = _bar_corners(centers[i], length, width, spin[i])
            cv2.fillConvexPoly(frame, _fixed(corners), color, cv2.LINE_AA,
                               _SHIFT)
        warp = np.float32([[1, 0, offset[0]], [0, 1, offset[1]]])
        frame = cv2.warpAffine(
            frame, warp, (size, size), borderMode=cv2.BORDER_REFLECT)
        frame += clip_rng.normal(
            0, noise_std, size=frame.shape).astype(
                np.float32) + clip_rng.normal(0, cfg.flicker)
        return np.clip(frame, 0, 255).astype(np.uint8)

    frames = np.empty((t_len, size, size, 3), dtype=np.uint8)
    for i in range(first, stop):
        _walk_distractors(d_pos, d_vel, clip_rng, size)
        if i == first:
            before = (range(first - 1, -1, -1), d_pos.copy(), -d_vel, walk[0])
        frames[i] = draw(i, shake[i - first], d_pos)
    # The frames around the timed clip continue its random walks, the shake
    # within the range that the clip's own shake spans.
    after = (range(stop, t_len), d_pos, d_vel, walk[-1])
    for indices, pos, vel, raw in (after, before):
        for i in indices:
            raw = np.clip(raw + clip_rng.normal(0, 0.5, size=2), -walk_max,
                          walk_max)
            _walk_distractors(pos, vel, clip_rng, size)
            frames[i] = draw(i, raw / walk_max * amplitude, pos)
    return frames
