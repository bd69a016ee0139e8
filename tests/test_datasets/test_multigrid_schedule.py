"""MultigridSchedule: shapes, batch sizes and learning-rate factors per
epoch against a hand-computed table, the short cycle's codes, the frame
divisor, scale_batch and argument checks."""
import pytest
import torch

from mmsakd.datasets import MultigridSchedule

S = 2**-0.5
BASE = dict(clip_len=32, frame_interval=2, size=(224, 224), size_divisor=8)
# epoch: ((t, s), batch of codes 0, 1, 2 at a base batch of 8, lr factor,
# (frames, interval, side) of codes 0, 1, 2) with epochs_per_shape=2.
CYCLE = {
    0: ((0.25, S), (256, 128, 64), 8, ((8, 8, 80), (8, 8, 112), (8, 8, 160))),
    2: ((0.5, S), (128, 64, 32), 4, ((16, 4, 80), (16, 4, 112), (16, 4, 160))),
    4:
    ((0.5, 1.0), (64, 32, 16), 2, ((16, 4, 112), (16, 4, 160), (16, 4, 224))),
    6:
    ((1.0, 1.0), (32, 16, 8), 1, ((32, 2, 112), (32, 2, 160), (32, 2, 224))),
}
# After the cycles: one code at the base shape and batch.
AT_BASE = ((1.0, 1.0), (8, ), 1, ((32, 2, 224), ))


def expected_row(epoch, until_epoch):
    if until_epoch is not None and epoch >= until_epoch:
        return AT_BASE
    return CYCLE[epoch // 2 % 4 * 2]


def clip_shape(schedule, epoch, code):
    return schedule.clip_shape(epoch, code, BASE['clip_len'],
                               BASE['frame_interval'], BASE['size'],
                               BASE['size_divisor'])


@pytest.mark.parametrize('until_epoch', [None, 5])
def test_schedule_table(until_epoch):
    schedule = MultigridSchedule(epochs_per_shape=2, until_epoch=until_epoch)
    for epoch in range(10):
        factors, batches, lr_factor, shapes = expected_row(epoch, until_epoch)
        assert schedule.in_cycle(epoch) == (
            until_epoch is None or epoch < until_epoch)
        assert schedule.long_factors(epoch) == factors, epoch
        assert len(schedule.space_factors(epoch)) == len(batches), epoch
        assert tuple(
            schedule.batch_size(epoch, 8, code)
            for code in range(len(batches))) == batches, epoch
        assert schedule.batch_size(epoch, 8) == batches[-1], epoch
        assert schedule.lr_factor(epoch, 8) == lr_factor, epoch
        assert tuple(
            clip_shape(schedule, epoch, code)
            for code in range(len(shapes))) == tuple(
                (frames, interval, (side, side))
                for frames, interval, side in shapes), epoch


def test_clip_shape_rounding():
    schedule = MultigridSchedule()
    # (width, height) stay in order; each side is rounded on its own.
    assert schedule.clip_shape(0, 0, 32, 2, (320, 240), 8) == (8, 8, (112, 88))
    assert schedule.clip_shape(0, 2, 32, 2, (320, 240),
                               8) == (8, 8, (224, 168))
    # At least one frame and one size_divisor per side.
    assert schedule.clip_shape(0, 0, 2, 1, (8, 8), 8) == (1, 2, (8, 8))
    assert schedule.describe(0, 8) == ('t=0.25: s=0.354 batch 256, '
                                       's=0.5 batch 128, s=0.707 batch 64')


@pytest.mark.parametrize(
    'short_cycle, num_samples, counts',
    [
        # Shares 4/7, 2/7, 1/7: rounded cumulative bounds 57, 86, 100.
        ((0.5, S), 100, (57, 29, 14)),
        ((0.5, S), 10, (6, 3, 1)),
        ((0.5, S), 1, (1, 0, 0)),
        # Shares 4/5, 1/5.
        ((0.5, ), 10, (8, 2)),
    ])
def test_codes_counts(short_cycle, num_samples, counts):
    schedule = MultigridSchedule(short_cycle=short_cycle)
    for epoch in range(3):
        codes = schedule.codes(epoch, num_samples)
        assert codes.dtype == torch.int64 and codes.shape == (num_samples, )
        assert tuple(torch.bincount(codes,
                                    minlength=len(counts)).tolist()) == counts


def test_codes_are_a_function_of_seed_and_epoch():
    first = MultigridSchedule(seed=1).codes(3, 100)
    assert torch.equal(MultigridSchedule(seed=1).codes(3, 100), first)
    assert not torch.equal(MultigridSchedule(seed=1).codes(4, 100), first)
    assert not torch.equal(MultigridSchedule(seed=2).codes(3, 100), first)
    # Global generators play no part.
    torch.manual_seed(0)
    again = MultigridSchedule(seed=1).codes(3, 100)
    assert torch.equal(again, first)


def test_codes_without_a_short_cycle():
    schedule = MultigridSchedule(until_epoch=2)
    assert schedule.codes(1, 50).unique().tolist() == [0, 1, 2]
    for epoch in (2, 5):
        assert schedule.codes(epoch, 50).tolist() == [0] * 50
    schedule = MultigridSchedule(short_cycle=())
    assert schedule.space_factors(0) == (S, )
    assert schedule.batch_size(0, 8, 0) == 64
    assert schedule.codes(0, 50).tolist() == [0] * 50


@pytest.mark.parametrize('kwargs, name', [
    (dict(long_cycle=((0.0, 1.0), )), r'long_cycle\[0\]\[0\]'),
    (dict(long_cycle=((1.0, 1.0), (0.5, 1.5))), r'long_cycle\[1\]\[1\]'),
    (dict(long_cycle=((0.5, 1.0, 1.0), )), 'long_cycle must be'),
    (dict(long_cycle=()), 'long_cycle must be'),
    (dict(short_cycle=(1.0, )), r'short_cycle\[0\]'),
    (dict(short_cycle=(0.5, 0.0)), r'short_cycle\[1\]'),
    (dict(epochs_per_shape=0), 'epochs_per_shape'),
    (dict(epochs_per_shape=1.0), 'epochs_per_shape'),
    (dict(until_epoch=-1), 'until_epoch'),
    (dict(seed=-1), 'seed'),
])
def test_schedule_argument_errors(kwargs, name):
    with pytest.raises(ValueError, match=name):
        MultigridSchedule(**kwargs)


def test_schedule_call_errors():
    schedule = MultigridSchedule()
    with pytest.raises(ValueError, match='num_samples'):
        schedule.codes(0, 0)
    with pytest.raises(ValueError, match='base'):
        schedule.batch_size(0, 0)
    with pytest.raises(ValueError, match='epoch'):
        schedule.long_factors(-1)


def test_frames_round_to_the_frame_divisor():
    schedule = MultigridSchedule(
        long_cycle=[(0.25, 1.0), (0.5, 1.0)], short_cycle=())
    # 32 frames every 2: 8 (a multiple of 8) every 8, then 16 every 4.
    assert schedule.clip_shape(0, 0, 32, 2, (224, 224), 8, 8)[:2] == (8, 8)
    assert schedule.clip_shape(1, 0, 32, 2, (224, 224), 8, 8)[:2] == (16, 4)
    # 16 * 0.25 = 4 frames round up to one divisor of 8, every 2.
    assert schedule.clip_shape(0, 0, 16, 1, (32, 32), 8, 8)[:2] == (8, 2)
    # 12 * 0.5 = 6 frames round to 8 with a divisor of 4.
    assert schedule.clip_shape(1, 0, 12, 1, (32, 32), 8, 4)[:2] == (8, 2)


def test_without_scale_batch_every_shape_keeps_the_base_batch():
    schedule = MultigridSchedule(scale_batch=False)
    for epoch in range(4):
        for code in range(len(schedule.space_factors(epoch))):
            assert schedule.batch_size(epoch, 8, code) == 8
        assert schedule.lr_factor(epoch, 8) == 1
    # The shapes are the cycles' all the same.
    assert schedule.clip_shape(0, 0, 32, 2, (224, 224), 8) == \
        MultigridSchedule().clip_shape(0, 0, 32, 2, (224, 224), 8)
    with pytest.raises(TypeError, match='scale_batch'):
        MultigridSchedule(scale_batch=1)
