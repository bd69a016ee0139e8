import numpy as np

from mmsakd.datasets.synthetic import SyntheticActionConfig, render_clip


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
