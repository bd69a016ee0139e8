"""MultigridBatchSampler: every index of the epoch once, in batches of one
code sized by the schedule; planned lengths; determinism; subsets; two ranks
train on the batches of one rank with twice their batch size; refusals."""
from collections import Counter
from unittest import mock

import pytest
import torch
from mmaction.datasets.transforms import Resize, SampleFrames
from torch.utils.data import DataLoader, SequentialSampler

from mmsakd.datasets import MultigridClips, MultigridSchedule
from mmsakd.datasets.samplers import MultigridBatchSampler, SubsetSampler

MODULES = ('mmsakd.datasets.samplers.subset_sampler',
           'mmsakd.datasets.samplers.multigrid_batch_sampler')


class Clips:
    """``size`` items, each its loaded clip length and size."""

    def __init__(self, size):
        self.size = size
        self.pipeline = [
            SampleFrames(clip_len=16, frame_interval=1),
            Resize(scale=(32, 32), keep_ratio=False)
        ]

    def __len__(self):
        return self.size

    def __getitem__(self, idx):
        return self.pipeline[0].clip_len, self.pipeline[1].scale


def make(size=50,
         batch_size=3,
         rank=0,
         world_size=1,
         seed=0,
         epoch=0,
         shuffle=True,
         min_batch=1,
         **schedule):
    clips = MultigridClips(Clips(size), schedule=MultigridSchedule(**schedule))
    with mock.patch(
            f'{MODULES[0]}.get_dist_info',
            return_value=(rank, world_size)), mock.patch(
                f'{MODULES[1]}.get_dist_info',
                return_value=(rank, world_size)):
        sampler = SubsetSampler(clips, shuffle=shuffle, seed=seed)
        batch_sampler = MultigridBatchSampler(sampler, batch_size, min_batch)
    sampler.set_epoch(epoch)
    return batch_sampler


def check_batches(batch_sampler, indices):
    """Each index once, in full batches of one code but one per code."""
    epoch, base = batch_sampler.epoch, batch_sampler.batch_size
    schedule = batch_sampler.clips.schedule
    codes = batch_sampler.clips.codes(epoch)
    batches = list(batch_sampler)
    assert sorted(sum(batches, [])) == sorted(indices)
    short = Counter()
    for batch in batches:
        batch_codes = {int(codes[i]) for i in batch}
        assert len(batch_codes) == 1, batch
        code = batch_codes.pop()
        size = schedule.batch_size(epoch, base, code)
        assert 1 <= len(batch) <= size
        short[code] += len(batch) < size
    assert max(short.values(), default=0) <= 1
    assert len(batch_sampler) == len(batches)
    return batches


@pytest.mark.parametrize('size, batch_size', [(50, 3), (37, 2), (24, 4)])
def test_every_index_once_in_batches_of_one_code(size, batch_size):
    lengths = []
    for epoch in range(5):
        batch_sampler = make(size, batch_size, epoch=epoch)
        batches = check_batches(batch_sampler, range(size))
        assert len(batches) == batch_sampler.planned_batches(epoch)
        lengths.append(len(batches))
    # 29, 14 and 7 clips of codes 0, 1 and 2 in batches of 96, 48 and 24
    # (epochs 0 and 4), 48, 24, 12 (epoch 1), 24, 12, 6 (epoch 2) and 12,
    # 6, 3 (epoch 3, the long cycle's base shape).
    if (size, batch_size) == (50, 3):
        assert lengths == [3, 3, 6, 9, 3]


def test_one_code_after_the_cycles():
    batch_sampler = make(25, 4, epoch=2, until_epoch=2)
    batches = check_batches(batch_sampler, range(25))
    assert [len(b) for b in batches].count(4) == 6 and len(batches) == 7


def test_deterministic_per_seed_and_epoch():
    first = list(make(seed=1, epoch=4))
    assert list(make(seed=1, epoch=4)) == first
    # Epoch 0 has the shapes of epoch 4; the codes and order differ.
    assert list(make(seed=1, epoch=0)) != first
    assert list(make(seed=2, epoch=4)) != first
    sampler = make(seed=1, epoch=0)
    sampler.sampler.set_epoch(4)
    assert list(sampler) == first


def test_without_shuffle_batches_follow_the_codes():
    batch_sampler = make(shuffle=False, epoch=3)
    codes = batch_sampler.clips.codes(3)
    batches = list(batch_sampler)
    assert [int(codes[b[0]]) for b in batches] == [0] * 3 + [1] * 3 + [2] * 3
    assert sum(batches, []) == sorted(range(50), key=lambda i: int(codes[i]))


def test_subset_restricts_the_indices():
    batch_sampler = make(epoch=3)
    subset = list(range(0, 50, 3))
    batch_sampler.sampler.set_subset(subset)
    batches = check_batches(batch_sampler, subset)
    assert len(batches) < batch_sampler.planned_batches(3)
    batch_sampler.sampler.set_subset(None)
    assert len(batch_sampler) == batch_sampler.planned_batches(3)


def test_loader_loads_one_shape_per_batch():
    batch_sampler = make(epoch=1)
    batch_sampler.clips.set_epoch(1)
    loader = DataLoader(
        batch_sampler.clips, batch_sampler=batch_sampler, collate_fn=list)
    shapes = [set(batch) for batch in loader]
    assert len(shapes) == len(batch_sampler)
    assert all(len(s) == 1 for s in shapes)
    assert len(set.union(*shapes)) == 3


def two_ranks(size, epoch, batch_size=4):
    one = list(make(size, batch_size, epoch=epoch))
    ranks = [
        list(make(size, batch_size // 2, rank, 2, epoch=epoch))
        for rank in (0, 1)
    ]
    assert len(ranks[0]) == len(ranks[1]) == len(one)
    for first, second in zip(*ranks):
        assert len(first) == len(second)
    return one, ranks


@pytest.mark.parametrize('size, epoch', [(42, 3), (42, 0), (56, 3)])
def test_two_ranks_train_as_one(size, epoch):
    # Each code's last batch has an even number of clips: 42 clips have
    # codes 0, 1 and 2 on 24, 12 and 6, cut 16 + 8, 8 + 4 and 4 + 2 at
    # the base shape.
    one, ranks = two_ranks(size, epoch)
    for step, batch in enumerate(one):
        assert sorted(ranks[0][step] + ranks[1][step]) == sorted(batch)
        assert ranks[0][step] == batch[0::2] and ranks[1][step] == batch[1::2]


def test_two_ranks_pad_a_short_batch_with_its_codes_first_index():
    # 43 clips: 25, 12 and 6 per code; code 0's last batch has 9 clips,
    # padded to 10 with the first index of the code in the epoch's order.
    one, ranks = two_ranks(43, 3)
    schedule_codes = make(43, epoch=3).clips.codes(3)
    order = make(43, epoch=3).sampler.epoch_order()
    first = next(i for i in order if int(schedule_codes[i]) == 0)
    padded = 0
    for step, batch in enumerate(one):
        both = ranks[0][step] + ranks[1][step]
        if len(batch) % 2:
            padded += 1
            assert len(batch) == 9
            assert Counter(both) == Counter(batch + [first])
        else:
            assert sorted(both) == sorted(batch)
    assert padded == 1
    assert sorted(set(sum(ranks[0] + ranks[1], []))) == list(range(43))


@pytest.mark.parametrize('world_size', [1, 2])
def test_min_batch_pads_a_lonely_clip(world_size):
    # A subset of 3 clips at epoch 0 (codes spread over 3 shapes): a code
    # with one clip gets a batch of it twice per rank, so batch norm sees
    # two values per channel.
    batches = []
    for rank in range(world_size):
        sampler = make(12, 3, rank, world_size, epoch=0, min_batch=2)
        sampler.sampler.set_subset([0, 5, 9])
        batches.append(list(sampler))
    codes = make(12).clips.codes(0)
    groups = Counter(int(codes[i]) for i in (0, 5, 9))
    assert len(batches[0]) == len(groups)
    for step, batch in enumerate(batches[0]):
        together = sum((b[step] for b in batches), [])
        assert len(batch) >= 2
        assert len({int(codes[i]) for i in together}) == 1
        assert len(together) == max(2 * world_size,
                                    groups[int(codes[batch[0]])])
    assert MultigridBatchSampler.__init__.__defaults__ == (2, )


def test_epoch_order_is_what_the_ranks_share():
    order = make(10, world_size=1, epoch=2).sampler.epoch_order()
    assert sorted(order) == list(range(10)) and order != list(range(10))
    padded = order + order[:2]
    for rank in range(4):
        sampler = make(10, rank=rank, world_size=4, epoch=2).sampler
        assert sampler.epoch_order() == order
        assert list(sampler) == padded[rank::4]


def test_refusals():
    clips = MultigridClips(Clips(10), schedule=MultigridSchedule())
    with pytest.raises(TypeError, match='train_dataloader.sampler'):
        MultigridBatchSampler(SequentialSampler(clips), 2)
    with pytest.raises(ValueError, match='MultigridClips'):
        MultigridBatchSampler(SubsetSampler(Clips(10), seed=0), 2)
    with pytest.raises(ValueError, match='batch_size'):
        MultigridBatchSampler(SubsetSampler(clips, seed=0), 0)
    with pytest.raises(ValueError, match='epoch'):
        MultigridBatchSampler(SubsetSampler(clips, seed=0),
                              2).planned_batches(-1)


def test_registered():
    from mmsakd.registry import DATA_SAMPLERS
    clips = MultigridClips(Clips(10), schedule=MultigridSchedule())
    batch_sampler = DATA_SAMPLERS.build(
        dict(type='MultigridBatchSampler'),
        default_args=dict(sampler=SubsetSampler(clips, seed=0), batch_size=2))
    assert isinstance(batch_sampler, MultigridBatchSampler)
    assert torch.equal(
        batch_sampler.clips.codes(0),
        MultigridSchedule().codes(0, 10))
