import numpy as np
import pytest

from mmsakd.datasets.synthetic import (CLASSES, SOURCE_CLASSES,
                                       SyntheticActionConfig)
from mmsakd.datasets.synthetic.motions import actor_track


@pytest.mark.parametrize('name, expected', [('move_right', (1, 0)),
                                            ('move_left', (-1, 0)),
                                            ('move_up', (0, -1)),
                                            ('move_down', (0, 1))])
def test_straight_motions_follow_their_direction(name, expected):
    cfg = SyntheticActionConfig()
    for seed in range(20):
        track, angles = actor_track(
            CLASSES.index(name), cfg, np.random.default_rng(seed))
        move = track[-1] - track[0]
        # Within the +-25 degree jitter of the class direction.
        cosine = move @ np.array(expected) / np.linalg.norm(move)
        assert cosine >= np.cos(np.deg2rad(cfg.angle_jitter)) - 1e-9
        assert np.all(angles == angles[0])


def test_order_and_rotation_classes():
    cfg = SyntheticActionConfig()
    rng = np.random.default_rng(0)
    for _ in range(10):
        track, _ = actor_track(CLASSES.index('right_then_up'), cfg, rng)
        first = track[3] - track[0]
        last = track[-1] - track[-4]
        assert first[0] > abs(first[1]) * 0.4  # mostly rightwards
        assert -last[1] > abs(last[0]) * 0.4  # mostly upwards
        _, cw = actor_track(CLASSES.index('rotate_cw'), cfg, rng)
        _, ccw = actor_track(CLASSES.index('rotate_ccw'), cfg, rng)
        assert np.all(np.diff(cw) > 0) and np.all(np.diff(ccw) < 0)


@pytest.mark.parametrize('name, expected', [('move_up_right', (1, -1)),
                                            ('move_up_left', (-1, -1)),
                                            ('move_down_right', (1, 1)),
                                            ('move_down_left', (-1, 1))])
def test_diagonal_source_motions_follow_their_direction(name, expected):
    cfg = SyntheticActionConfig(classes=SOURCE_CLASSES)
    unit = np.array(expected) / np.sqrt(2)
    for seed in range(20):
        track, _ = actor_track(
            SOURCE_CLASSES.index(name), cfg, np.random.default_rng(seed))
        move = track[-1] - track[0]
        cosine = move @ unit / np.linalg.norm(move)
        assert cosine >= np.cos(np.deg2rad(cfg.angle_jitter)) - 1e-9


def test_source_turns_and_fixed_axis_oscillations():
    cfg = SyntheticActionConfig(classes=SOURCE_CLASSES)
    rng = np.random.default_rng(0)
    for _ in range(10):
        track, _ = actor_track(
            SOURCE_CLASSES.index('down_then_left'), cfg, rng)
        first = track[3] - track[0]
        last = track[-1] - track[-4]
        assert first[1] > abs(first[0]) * 0.4  # mostly downwards
        assert -last[0] > abs(last[1]) * 0.4  # mostly leftwards
        for name, axis in (('oscillate_horizontal', 0), ('oscillate_vertical',
                                                         1)):
            track, _ = actor_track(SOURCE_CLASSES.index(name), cfg, rng)
            spread = np.ptp(track, axis=0)
            assert spread[axis] > spread[1 - axis]


@pytest.mark.parametrize('classes', [CLASSES, SOURCE_CLASSES])
def test_longer_clip_continues_the_timed_motion(classes):
    short = SyntheticActionConfig(classes=classes)
    long = SyntheticActionConfig(num_frames=24, clip_len=16, classes=classes)
    assert long.clip_start == 4  # SampleFrames' test-mode offset
    for label, name in enumerate(classes):
        track, angles = actor_track(label, long, np.random.default_rng(label))
        ref_track, ref_angles = actor_track(label, short,
                                            np.random.default_rng(label))
        np.testing.assert_array_equal(track[4:20], ref_track)
        np.testing.assert_array_equal(angles[4:20], ref_angles)
        steps = np.diff(track, axis=0)
        if name.startswith('move_'):  # the same step on all 24 frames
            np.testing.assert_allclose(steps, steps[[0] * 23], atol=1e-12)
        elif name.startswith('rotate_'):
            spins = np.diff(angles)
            np.testing.assert_allclose(spins, spins[0], atol=1e-12)


def test_every_window_of_a_longer_clip_holds_the_turn():
    cfg = SyntheticActionConfig(num_frames=24, clip_len=16)
    rng = np.random.default_rng(0)
    for _ in range(20):
        track, _ = actor_track(CLASSES.index('right_then_up'), cfg, rng)
        steps = np.diff(track, axis=0)
        for offset in range(24 - 16 + 1):  # SampleFrames' random offsets
            first, last = steps[offset], steps[offset + 14]
            assert first[0] > abs(first[1])  # rightwards
            assert -last[1] > abs(last[0])  # upwards
