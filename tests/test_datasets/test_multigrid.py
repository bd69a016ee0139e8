"""MultigridClips: each clip loaded in its shape, the pipeline left as it
was, test mode, refusals; shape_batches."""
from types import SimpleNamespace

import pytest
import torch
from mmaction.datasets.transforms import CenterCrop, Resize, SampleFrames
from mmengine.dataset import Compose

from mmsakd.datasets import MultigridClips, MultigridSchedule
from mmsakd.datasets.multigrid import find_multigrid, shape_batches

NUM_CLIPS = 30
# The base clip: 16 frames every 2, resized to (64, 48).
CLIP = (16, 2, (64, 48))


class Clips:
    """A dataset whose items are the pipeline's frame sampler and last
    fixed-size Resize settings at loading time."""

    def __init__(self, test_mode=False, resize=True, sampler=True):
        transforms = [Resize(scale=(-1, 40))]  # keeps the ratio: not set
        if sampler:
            transforms.insert(0, SampleFrames(clip_len=16, frame_interval=2))
        if resize:
            transforms += [
                Resize(scale=(80, 60), keep_ratio=False),  # not the last
                CenterCrop(crop_size=56),
                Resize(scale=(64, 48), keep_ratio=False),
            ]
        self.pipeline = Compose(transforms)
        self.test_mode = test_mode
        self.fail = None

    def __len__(self):
        return NUM_CLIPS

    def __getitem__(self, idx):
        if idx == self.fail:
            raise OSError('cannot decode')
        return self.settings()

    def settings(self):
        """(clip_len, frame_interval, scale of the last and of the first
        fixed-size Resize)."""
        transforms = self.pipeline.transforms
        fixed = [
            t.scale
            for t in transforms if isinstance(t, Resize) and not t.keep_ratio
        ] or [None]
        return (getattr(transforms[0], 'clip_len',
                        None), getattr(transforms[0], 'frame_interval',
                                       None), fixed[-1], fixed[0])


def make(epoch=0, **kwargs):
    clips = MultigridClips(
        Clips(**kwargs),
        schedule=dict(type='MultigridSchedule', until_epoch=4))
    if epoch is not None:
        clips.set_epoch(epoch)
    return clips


def test_clips_load_in_their_shape():
    clips = make()
    schedule = clips.schedule
    assert clips.base_shape == CLIP
    for epoch in range(6):
        clips.set_epoch(epoch)
        codes = schedule.codes(epoch, NUM_CLIPS)
        assert torch.equal(clips.codes(epoch), codes)
        loaded = [clips[i] for i in range(NUM_CLIPS)]
        for idx, (frames, interval, size, other) in enumerate(loaded):
            expected = schedule.clip_shape(epoch, int(codes[idx]), 16, 2,
                                           (64, 48), 8)
            assert (frames, interval, size) == expected, (epoch, idx)
            assert clips.clip_shape(epoch, idx) == expected
            assert other == (80, 60)
        shapes = {item[:3] for item in loaded}
        assert len(shapes) == (3 if epoch < 4 else 1), epoch
        # Set back to the base clip after each load.
        assert clips.dataset.settings() == (*CLIP, (80, 60))
    assert clips[-1] == clips[NUM_CLIPS - 1]


def test_clips_restore_the_pipeline_after_an_error():
    clips = make(epoch=0)
    clips.dataset.fail = 3
    with pytest.raises(OSError):
        clips[3]
    assert clips.dataset.settings() == (*CLIP, (80, 60))


def test_clips_need_an_epoch():
    clips = make(epoch=None)
    assert clips.epoch is None
    with pytest.raises(RuntimeError, match='MultigridHook'):
        clips[0]


def test_clips_in_test_mode_load_the_base_shape():
    # SAKD's scoring pass builds the set in test mode, with no epoch.
    clips = make(epoch=None, test_mode=True)
    assert clips[0] == (*CLIP, (80, 60))
    # Nothing to set in test mode: no Resize needed.
    assert make(epoch=None, test_mode=True, resize=False)[1][:2] == (16, 2)


def test_clips_need_a_fixed_size_resize():
    with pytest.raises(ValueError, match=r"dict\(type='Resize'"):
        make(resize=False)
    with pytest.raises(ValueError, match='no frame sampler'):
        make(sampler=False)
    # Time factors of 1 need no frame sampler.
    clips = MultigridClips(
        Clips(sampler=False),
        schedule=MultigridSchedule(long_cycle=((1.0, 0.5), )))
    clips.set_epoch(0)
    assert clips.base_shape == (1, 1, (64, 48))
    # Sides 64 and 48 times 1/4, 1/(2 sqrt 2) and 1/2, to multiples of 8
    # (12 / 8 = 1.5 rounds to 2).
    assert {clips[i][2]
            for i in range(NUM_CLIPS)} == {(16, 16), (24, 16), (32, 24)}


def test_clips_arguments():
    schedule = MultigridSchedule(seed=3)
    clips = MultigridClips(Clips(), schedule=schedule, size_divisor=4)
    assert clips.schedule is schedule and len(clips) == NUM_CLIPS
    assert isinstance(MultigridClips(Clips()).schedule, MultigridSchedule)
    with pytest.raises(TypeError, match='schedule must be'):
        MultigridClips(Clips(), schedule=object())
    with pytest.raises(ValueError, match='size_divisor'):
        MultigridClips(Clips(), size_divisor=0)


# ------------------------------------------------------------ shape_batches
def test_shape_batches_group_by_shape():
    clips = make()
    wrapped = SimpleNamespace(dataset=clips)  # another wrapper around it
    assert find_multigrid(wrapped) is clips
    generator = torch.Generator().manual_seed(0)
    indices = torch.randperm(NUM_CLIPS, generator=generator).tolist()
    batches = shape_batches(wrapped, 1, indices, 4)
    assert sorted(sum(batches, [])) == list(range(NUM_CLIPS))
    by_shape = {}
    for batch in batches:
        assert 1 <= len(batch) <= 4
        shapes = {clips.clip_shape(1, i) for i in batch}
        assert len(shapes) == 1
        by_shape.setdefault(shapes.pop(), []).append(batch)
    assert len(by_shape) == 3
    for shape, group in by_shape.items():
        # Full batches but the last, in the order given.
        assert all(len(batch) == 4 for batch in group[:-1])
        assert sum(group, []) == [
            i for i in indices if clips.clip_shape(1, i) == shape
        ]


def test_shape_batches_without_multigrid_are_chunks():
    assert find_multigrid(Clips()) is None
    assert shape_batches(Clips(), 0, [5, 3, 1, 2, 0], 2) == [[5, 3], [1, 2],
                                                             [0]]
    with pytest.raises(ValueError, match='batch_size'):
        shape_batches(Clips(), 0, [0], 0)
