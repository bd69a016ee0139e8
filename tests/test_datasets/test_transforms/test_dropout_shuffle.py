import copy

import numpy as np
import pytest
import torch
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from mmsakd.datasets.transforms import DropoutShuffle
from mmsakd.registry import TRANSFORMS
from mmsakd.selection import interruption_rate, num_interrupted

FILL = (124, 116, 104)  # the ImageNet mean rounded to uint8


def clip_frames(num_clips=2, clip_len=8, size=16, as_list=True):
    """Frame t of clip v is the constant 10 * v + t + 1 (not a fill value)."""
    frames = np.zeros((num_clips * clip_len, size, size, 3), np.uint8)
    for v in range(num_clips):
        for t in range(clip_len):
            frames[v * clip_len + t] = 10 * v + t + 1
    return list(frames) if as_list else frames


def results_of(frames, clip_len=8, num_clips=2, sample_idx=0):
    return dict(
        imgs=frames,
        clip_len=clip_len,
        num_clips=num_clips,
        sample_idx=sample_idx)


def is_fill(frames):
    return np.all(frames == np.array(FILL, np.uint8), axis=(1, 2, 3))


def test_dropout_fills_round_rate_t_frames_per_clip_at_shared_positions():
    transform = DropoutShuffle(rate=0.3, seed=1)
    out = transform(results_of(clip_frames()))['imgs']
    assert isinstance(out, list) and len(out) == 16
    dropped = is_fill(np.stack(out)).reshape(2, 8)
    assert dropped.sum(axis=1).tolist() == [num_interrupted(0.3, 8)] * 2
    assert np.array_equal(dropped[0], dropped[1])  # views share positions
    kept = np.stack(out).reshape(2, 8, 16, 16, 3)[~dropped]
    original = np.stack(clip_frames()).reshape(2, 8, 16, 16, 3)[~dropped]
    assert np.array_equal(kept, original)


def test_shuffle_permutes_frames_within_each_clip():
    transform = DropoutShuffle(rate=0.7, eta=0.5, seed=2)
    frames = clip_frames(as_list=False)
    out = transform(results_of(frames.copy()))['imgs']
    assert isinstance(out, np.ndarray) and out.dtype == np.uint8
    values = out[:, 0, 0, 0].reshape(2, 8)
    before = frames[:, 0, 0, 0].reshape(2, 8)
    for v in range(2):
        assert sorted(values[v]) == sorted(before[v])
        assert (values[v] != before[v]).sum() == num_interrupted(0.5, 8)


def test_rate_follows_the_epoch_schedule():
    transform = DropoutShuffle(max_epochs=10, seed=0)
    frames = np.stack(clip_frames())
    out = transform(results_of(list(frames)))['imgs']
    assert np.array_equal(np.stack(out), frames)  # beta(0) = 0
    transform.set_epoch(3)
    assert transform.current_rate() == pytest.approx(interruption_rate(3, 10))
    out = np.stack(transform(results_of(list(frames)))['imgs'])
    assert is_fill(out).sum() == 2 * num_interrupted(
        interruption_rate(3, 10), 8)
    with pytest.raises(ValueError, match='epoch'):
        transform.set_epoch(11)


def test_deterministic_given_seed_sample_and_epoch():
    transform = DropoutShuffle(rate=0.3, seed=5)

    def run(sample_idx):
        # 10 of 32 frames dropped: a repeated pattern by chance is 1 in 6e7
        results = results_of(
            clip_frames(clip_len=32), clip_len=32, sample_idx=sample_idx)
        return np.stack(transform(results)['imgs'])

    ref = run(4)
    assert np.array_equal(run(4), ref)
    assert not np.array_equal(run(5), ref)
    transform.set_epoch(1)
    assert not np.array_equal(run(4), ref)
    transform.set_epoch(0)
    assert np.array_equal(run(4), ref)


def test_single_frame_clips_use_patches():
    transform = DropoutShuffle(rate=0.25, patch_size=4, fill_value=0, seed=3)
    img = np.full((1, 16, 16, 3), 200, np.uint8)
    out = transform(dict(imgs=img, clip_len=1, num_clips=1))['imgs']
    dropped = np.all(out[0] == 0, axis=2)
    assert dropped.sum() == num_interrupted(0.25, 16) * 16
    blocks = dropped.reshape(4, 4, 4, 4).transpose(0, 2, 1, 3).reshape(16, 16)
    assert set(blocks.sum(axis=1).tolist()) <= {0, 16}


def test_in_a_real_mmaction_pipeline():
    init_default_scope('mmsakd')
    pipeline = Compose([
        dict(
            type='SampleFrames',
            clip_len=8,
            frame_interval=1,
            num_clips=2,
            test_mode=True),
        dict(type='ArrayDecode'),
        dict(type='Resize', scale=(-1, 20)),
        dict(type='CenterCrop', crop_size=16),
        dict(type='DropoutShuffle', rate=0.3, seed=0),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ])
    video = np.full((40, 24, 24, 3), 200, np.uint8)
    data = pipeline(
        dict(
            array=video,
            total_frames=40,
            label=1,
            start_index=0,
            modality='RGB',
            sample_idx=3))
    inputs = data['inputs'].numpy()  # (num_clips, C, T, H, W)
    assert inputs.shape == (2, 3, 8, 16, 16)
    frame_is_fill = np.all(
        inputs == np.array(FILL).reshape(1, 3, 1, 1, 1), axis=(1, 3, 4))
    assert frame_is_fill.sum(axis=1).tolist() == [num_interrupted(0.3, 8)] * 2
    assert np.all(inputs[~frame_is_fill.repeat(3, 0).reshape(2, 3, 8)] == 200)


def test_registry_repr_and_argument_checks():
    transform = TRANSFORMS.build(dict(type='DropoutShuffle', rate=0.2))
    assert isinstance(transform, DropoutShuffle)
    assert 'rate=0.2' in repr(transform) and 'eta=0.5' in repr(transform)
    with pytest.raises(ValueError, match='max_epochs must be > 0'):
        DropoutShuffle(max_epochs=0)
    # The schedule needs max_epochs when it is used (DropoutShuffleHook
    # sets it from the runner).
    with pytest.raises(ValueError, match='no max_epochs.*DropoutShuffleHook'):
        DropoutShuffle()(results_of(clip_frames()))
    with pytest.raises(ValueError, match='eta'):
        DropoutShuffle(rate=0.2, eta=1.5)
    with pytest.raises(ValueError, match='rate'):
        DropoutShuffle(rate=-0.1)
    with pytest.raises(ValueError, match='clip_len'):
        DropoutShuffle(rate=0.2)(dict(imgs=clip_frames(), clip_len=5))
    with pytest.raises(ValueError, match='fill_value'):
        DropoutShuffle(rate=0.2, fill_value=(1, 2))(results_of(clip_frames()))


def test_records_the_rate_applied():
    transform = DropoutShuffle(max_epochs=4)
    assert transform(results_of(clip_frames()))['interruption_rate'] == 0
    transform.set_epoch(3)
    out = transform(results_of(clip_frames()))
    assert out['interruption_rate'] == interruption_rate(3, 4)
    assert DropoutShuffle(
        rate=0.2)(results_of(clip_frames()))['interruption_rate'] == 0.2


def test_max_epochs_can_be_set_later():
    transform = DropoutShuffle(epoch=2)
    assert transform.max_epochs is None and transform.epoch == 2
    transform.max_epochs = 5
    assert transform.max_epochs == 5
    assert transform.current_rate() == interruption_rate(2, 5)
    assert 'max_epochs=5' in repr(transform) and 'epoch=2' in repr(transform)
    copied = copy.deepcopy(transform)
    assert (copied.max_epochs, copied.epoch) == (5, 2)
    assert copied._progress.is_shared()
    copied.set_epoch(4)
    assert transform.epoch == 2  # copies do not share their epoch


class InterruptedClips(torch.utils.data.Dataset):
    """Four clips through a DropoutShuffle; items are the rate and epoch
    that the transform applied in the worker."""

    def __init__(self, transform):
        self.transform = transform

    def __len__(self):
        return 4

    def __getitem__(self, i):
        out = self.transform(results_of(clip_frames(), sample_idx=i))
        return out['interruption_rate'], self.transform.epoch


@pytest.mark.parametrize('context', ['fork', 'spawn'])
def test_set_epoch_reaches_persistent_workers(context):
    transform = DropoutShuffle(max_epochs=3)
    loader = torch.utils.data.DataLoader(
        InterruptedClips(transform),
        batch_size=2,
        num_workers=2,
        persistent_workers=True,
        multiprocessing_context=context,
        collate_fn=list)
    workers = None
    for epoch in range(3):
        transform.set_epoch(epoch)
        seen = [item for batch in loader for item in batch]
        assert seen == [(interruption_rate(epoch, 3), epoch)] * 4
        # The same worker processes in every epoch.
        if workers is None:
            workers = loader._iterator._workers
        assert loader._iterator._workers is workers


def test_tsn_segments_are_the_units():
    # TSN/TSM sample one frame per segment (clip_len=1, num_clips=8): the
    # segments are dropped whole, as the batch operation does with 2D
    # inputs, never pixel patches of them.
    transform = DropoutShuffle(rate=0.3, seed=3)
    frames = clip_frames(num_clips=8, clip_len=1)
    out = np.stack(
        transform(results_of(frames, clip_len=1, num_clips=8))['imgs'])
    dropped = is_fill(out)
    assert dropped.sum() == num_interrupted(0.3, 8)
    assert np.array_equal(out[~dropped], np.stack(frames)[~dropped])
