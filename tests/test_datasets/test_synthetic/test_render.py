import hashlib

import cv2
import numpy as np
import pytest

from mmsakd.datasets.synthetic import (SOURCE_CLASSES, SyntheticActionConfig,
                                       clip_label, render_clip)
from mmsakd.datasets.synthetic.generator import _rng
from mmsakd.datasets.synthetic.motions import actor_track

# Digests of the first clips of the default and the source datasets as the
# generator drew them before clips could be longer than their motion
# (numpy 2.4, OpenCV 5.1): the default settings must keep drawing them.
FRAMES_DIGEST = '4e4ec89c61ef59cc'
TRACKS_DIGEST = '097b18476ff37a52'


def test_frames_follow_the_config_and_the_generator():
    cfg = SyntheticActionConfig(num_frames=6, frame_size=40)
    frames = render_clip(2, cfg, np.random.default_rng(5))
    assert frames.shape == (6, 40, 40, 3) and frames.dtype == np.uint8
    np.testing.assert_array_equal(
        frames, render_clip(2, cfg, np.random.default_rng(5)))
    assert not np.array_equal(frames,
                              render_clip(2, cfg, np.random.default_rng(6)))
    # The actors move: the last frame is not the first.
    assert np.abs(frames[-1].astype(int) - frames[0]).mean() > 1


def _digests(**kwargs):
    frames, tracks = hashlib.sha256(), hashlib.sha256()
    for classes, count in ((None, 10), (SOURCE_CLASSES, 12)):
        cfg = SyntheticActionConfig(
            **kwargs, **(dict(classes=classes) if classes else {}))
        for i in range(count):
            label = clip_label(cfg.seed, 'train', i, len(cfg.classes))
            frames.update(
                render_clip(label, cfg, _rng(cfg.seed, 'train', i)).tobytes())
            track, angles = actor_track(label, cfg, np.random.default_rng(i))
            # Rounded: the last bits of np.sin differ between CPUs.
            tracks.update(
                np.round(np.concatenate([track.ravel(), angles]), 9).tobytes())
    return frames.hexdigest()[:16], tracks.hexdigest()[:16]


def test_default_clips_are_unchanged():
    default = _digests()
    assert default == _digests(num_frames=16, clip_len=16)
    assert default[1] == TRACKS_DIGEST
    if not cv2.__version__.startswith('5.'):
        pytest.skip('the frame digest was recorded with OpenCV 5, which '
                    f'may anti-alias differently from {cv2.__version__}')
    assert default[0] == FRAMES_DIGEST


@pytest.mark.parametrize('num_frames', [24, 25])
def test_longer_clip_is_the_clip_with_frames_around(num_frames):
    cfg = SyntheticActionConfig(num_frames=num_frames, clip_len=16)
    for label in range(len(cfg.classes)):
        frames = render_clip(label, cfg, np.random.default_rng(label))
        clip = render_clip(label, SyntheticActionConfig(),
                           np.random.default_rng(label))
        assert frames.shape == (num_frames, 32, 32, 3)
        np.testing.assert_array_equal(frames[4:20], clip)
        # Every frame around it is drawn, and changes from the one before
        # about as much as the clip's own frames do.
        change = np.abs(np.diff(frames.astype(int),
                                axis=0)).mean(axis=(1, 2, 3))
        inside = change[4:19].mean()
        around = np.concatenate([change[:4], change[19:]])
        assert np.all(around > inside / 2) and np.all(around < inside * 2)
