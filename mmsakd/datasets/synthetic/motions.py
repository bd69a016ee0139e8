"""How the actor of each class moves: the only thing that tells the
classes of the synthetic dataset apart.

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

The source classes (``SOURCE_CLASSES``) add the diagonal moves, the other
turns and the oscillations along a fixed axis.
"""
import math
from typing import Optional, Tuple

import numpy as np

from .config import SyntheticActionConfig


def actor_track(
    label: int,
    cfg: SyntheticActionConfig,
    rng: np.random.Generator,
    clip_rng: Optional[np.random.Generator] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """Centre (T, 2) in frame sides and bar angle (T,) in radians.

    Positions are relative to a start point chosen afterwards, so that the
    whole track fits in the frame. The motion is timed for
    ``cfg.motion_len`` frames starting at ``cfg.clip_start``; the frames
    around them continue it (a straight move goes on, a turn happens
    within those frames).

    Args:
        label (int): The class.
        cfg (SyntheticActionConfig): The dataset's settings.
        rng (np.random.Generator): Draws what a group of clips shares
            (direction, speed, spin, oscillation axis and period).
        clip_rng (np.random.Generator, optional): Draws what varies with
            where a clip is cut from its group's video (an oscillation's
            phase, the time of a turn); None: ``rng``. Defaults to None.
    """
    clip_rng = rng if clip_rng is None else clip_rng
    t_len, m_len = cfg.num_frames, cfg.motion_len
    # Time 0 is the first frame of the timed clip.
    t = np.arange(t_len, dtype=np.float64) - cfg.clip_start
    name = cfg.classes[label]
    angle0 = rng.uniform(0, np.pi)
    angles = np.full(t_len, angle0)
    speed = rng.uniform(*cfg.speed) / (m_len - 1)  # frame sides per frame
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
        period = rng.uniform(*period_range) * m_len
        amplitude = rng.uniform(0.15, 0.28)
        axis = rng.uniform(0, np.pi)
        if name == 'oscillate_horizontal':
            axis = jitter
        elif name == 'oscillate_vertical':
            axis = np.pi / 2 + jitter
        phase = clip_rng.uniform(0, 2 * np.pi)
        offset = amplitude * np.sin(2 * np.pi * t / period + phase)
        track = offset[:, None] * np.array([math.cos(axis),
                                            math.sin(axis)])[None]
    else:  # right_then_up / up_then_right
        first, second = name.split('_then_')
        turn = clip_rng.uniform(0.35, 0.65) * (m_len - 1)
        before = np.minimum(t, turn)
        after = np.maximum(t - turn, 0)
        track = (
            straight(directions[first] + jitter, before) +
            straight(directions[second] + jitter, after))
    return track, angles
