import pytest

from mmsakd.datasets.synthetic import (CLASSES, MOTIONS, SOURCE_CLASSES,
                                       SyntheticActionConfig)


def test_source_classes_are_other_motions():
    assert not set(SOURCE_CLASSES) & set(CLASSES)
    assert len(SOURCE_CLASSES) > len(CLASSES)
    assert MOTIONS == CLASSES + SOURCE_CLASSES


def test_oscillation_periods_do_not_overlap():
    cfg = SyntheticActionConfig()
    assert cfg.fast_period[1] < cfg.slow_period[0]


@pytest.mark.parametrize('kwargs, name', [
    (dict(frame_size=48), 'frame_size'),
    (dict(num_frames=2), 'num_frames'),
    (dict(clip_len=3, num_frames=3), 'num_frames'),
    (dict(clip_len=3), r'clip_len must be None or an integer in \[4, '),
    (dict(num_frames=16, clip_len=24), r'num_frames=16\], got 24'),
    (dict(clip_len=16.0), 'clip_len'),
    (dict(num_train=-1), 'num_train'),
    (dict(contrast=(0.8, 0.2)), 'contrast'),
    (dict(classes=('move_right', 'jump')), 'classes'),
    (dict(classes=('move_right', 'move_right')), 'classes'),
    (dict(classes=('move_right', )), 'classes'),
])
def test_bad_config_names_the_field(kwargs, name):
    with pytest.raises(ValueError, match=name):
        SyntheticActionConfig(**kwargs)


def test_clip_len_of_the_whole_clip_is_none():
    assert SyntheticActionConfig(clip_len=16) == SyntheticActionConfig()
    cfg = SyntheticActionConfig(num_frames=25, clip_len=16)
    assert (cfg.clip_len, cfg.motion_len, cfg.clip_start) == (16, 16, 4)
    assert SyntheticActionConfig(num_frames=8).motion_len == 8
