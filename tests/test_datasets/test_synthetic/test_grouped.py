import os.path as osp

import numpy as np
import pytest

from mmsakd.datasets.groups import clip_groups
from mmsakd.datasets.synthetic import (SyntheticActionConfig, clip_label,
                                       dataset_is_complete, draw_clip,
                                       generate_dataset, read_annotations,
                                       render_clip)
from mmsakd.datasets.synthetic.annotations import config_record
from mmsakd.datasets.synthetic.generator import _rng
from mmsakd.datasets.synthetic.render import GROUP_SHIFT

# Nothing moves and nothing is noisy: a clip is its background.
STILL = dict(
    num_actors=(0, 0),
    num_distractors=(0, 0),
    camera_jitter=0.,
    noise=(0., 0.),
    flicker=0.)


def test_ungrouped_clips_are_drawn_as_before():
    # render_clip with the clip's own generator draws what it drew before
    # groups existed (test_render.py pins its digests).
    cfg = SyntheticActionConfig(num_frames=8)
    for index in range(3):
        frames, label = draw_clip(cfg, 'train', index)
        assert label == clip_label(cfg.seed, 'train', index)
        np.testing.assert_array_equal(
            frames, render_clip(label, cfg, _rng(cfg.seed, 'train', index)))
    # Its record, which keys stored datasets and checkpoints, is unchanged.
    assert 'clips_per_group' not in config_record(cfg)
    assert config_record(SyntheticActionConfig(
        clips_per_group=4))['clips_per_group'] == 4


def test_clips_of_a_group_share_its_video():
    cfg = SyntheticActionConfig(
        num_train=6, num_val=6, num_frames=4, clips_per_group=3, **STILL)
    clips = [draw_clip(cfg, 'train', i) for i in range(6)]
    labels = [label for _, label in clips]
    assert labels == [labels[0]] * 3 + [labels[3]] * 3
    assert labels[0] == clip_label(cfg.seed, 'train', 0)
    assert labels[3] == clip_label(cfg.seed, 'train', 1)
    # One background per group, another for every other group and for the
    # validation groups of the same number.
    for i in (1, 2):
        np.testing.assert_array_equal(clips[i][0], clips[0][0])
    assert np.abs(clips[3][0].astype(int) - clips[0][0]).mean() > 5
    val, _ = draw_clip(cfg, 'val', 0)
    assert np.abs(val.astype(int) - clips[0][0]).mean() > 5


def test_grouped_actors_move_within_the_group_shift():
    cfg = SyntheticActionConfig(
        num_frames=4,
        frame_size=64,
        clips_per_group=2,
        num_actors=(1, 1),
        num_distractors=(0, 0),
        camera_jitter=0.,
        noise=(0., 0.),
        flicker=0.,
        classes=('move_right', 'move_left'))
    still = SyntheticActionConfig(**{**vars(cfg), **STILL})
    centres = []
    for index in (0, 1):
        frames, _ = draw_clip(cfg, 'train', index)
        background, _ = draw_clip(still, 'train', index)
        actor = np.abs(frames[0].astype(int) - background[0]).sum(-1) > 30
        ys, xs = np.nonzero(actor)
        centres.append(np.array([xs.mean(), ys.mean()]) / cfg.frame_size)
    # The same actor (and colour), elsewhere, within the shift (a bar's
    # pixels wrap at the edges only if its start did: not for this seed).
    shift = np.abs(centres[1] - centres[0])
    assert np.all(shift <= GROUP_SHIFT + 0.02) and shift.max() > 0.01


def test_generated_groups_read_back(tmp_path):
    cfg = SyntheticActionConfig(
        num_train=6, num_val=4, num_frames=4, clips_per_group=2, seed=3)
    paths = generate_dataset(str(tmp_path), cfg)
    items = read_annotations(paths['train'])
    assert [path for path, _ in items] == [
        f'train/train_g{g:04d}_c{c:02d}.mp4' for g in range(3)
        for c in range(2)
    ]
    assert all(osp.isfile(osp.join(paths['videos'], p)) for p, _ in items)
    assert clip_groups(
        paths['train']) == [f'train/train_g{i // 2:04d}' for i in range(6)]
    labels = [label for _, label in items]
    assert labels[0::2] == labels[1::2]
    assert len(read_annotations(paths['val'])) == 4
    assert dataset_is_complete(str(tmp_path), cfg)
    assert not dataset_is_complete(
        str(tmp_path),
        SyntheticActionConfig(num_train=6, num_val=4, num_frames=4, seed=3))


@pytest.mark.parametrize('kwargs, message', [
    (dict(clips_per_group=0), 'clips_per_group must be an integer >= 1'),
    (dict(num_train=10, clips_per_group=4),
     'num_train must be a multiple of clips_per_group=4, got 10'),
    (dict(num_train=8, num_val=6, clips_per_group=4),
     'num_val must be a multiple of clips_per_group=4, got 6'),
])
def test_bad_grouping_names_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SyntheticActionConfig(**kwargs)
