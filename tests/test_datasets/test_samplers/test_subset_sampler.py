import math
from unittest import mock

import pytest
import torch
from torch.utils.data import DataLoader

from mmsakd.datasets.samplers import SubsetSampler
from mmsakd.registry import DATA_SAMPLERS

MODULE = 'mmsakd.datasets.samplers.subset_sampler'


class ToyDataset:

    def __init__(self, size):
        self.size = size

    def __len__(self):
        return self.size

    def __getitem__(self, idx):
        return idx


def make(rank=0, world_size=1, size=50, **kwargs):
    with mock.patch(
            f'{MODULE}.get_dist_info', return_value=(rank, world_size)):
        return SubsetSampler(ToyDataset(size), **kwargs)


def test_default_subset_is_the_whole_dataset():
    sampler = make(seed=0)
    assert len(sampler) == 50
    indices = list(sampler)
    assert sorted(indices) == list(range(50))
    assert indices != list(range(50))  # shuffled


def test_registered_and_seed_defaults_to_sync_random_seed():
    with mock.patch(f'{MODULE}.sync_random_seed', return_value=1234):
        sampler = DATA_SAMPLERS.build(
            dict(type='SubsetSampler', dataset=ToyDataset(5)))
    assert isinstance(sampler, SubsetSampler) and sampler.seed == 1234


def test_len_and_iter_follow_the_subset():
    sampler = make(seed=0)
    subset = [3, 7, 11, 20, 21, 49]
    sampler.set_subset(torch.tensor(subset))
    assert len(sampler) == 6
    assert sorted(sampler) == subset
    assert sampler.subset == subset
    sampler.set_subset(None)
    assert len(sampler) == 50


def test_iterator_reads_state_when_created():
    sampler = make(seed=0)
    loader = DataLoader(ToyDataset(50), batch_size=4, sampler=sampler)
    sampler.set_subset([1, 2, 3, 4, 5])  # e.g. in before_train_epoch
    seen = torch.cat(list(loader)).tolist()
    assert sorted(seen) == [1, 2, 3, 4, 5]
    assert len(loader) == 2


def test_reshuffles_per_epoch_and_repeats_within_an_epoch():
    sampler = make(seed=7)
    sampler.set_subset(list(range(0, 50, 2)))
    first = list(sampler)
    assert list(sampler) == first
    sampler.set_epoch(1)
    second = list(sampler)
    assert second != first and sorted(second) == sorted(first)
    # the order is the one DefaultSampler's convention gives
    g = torch.Generator().manual_seed(7 + 1)
    order = torch.randperm(25, generator=g).tolist()
    assert second == [2 * i for i in order]


def test_no_shuffle_keeps_stored_order():
    sampler = make(seed=0, shuffle=False)
    sampler.set_subset([9, 2, 5])
    assert list(sampler) == [9, 2, 5]


@pytest.mark.parametrize('world_size, subset_size', [(2, 7), (3, 10), (4, 4),
                                                     (3, 2)])
def test_ranks_cover_the_subset_with_round_up(world_size, subset_size):
    subset = list(range(5, 5 + 3 * subset_size, 3))
    per_rank = []
    for rank in range(world_size):
        sampler = make(rank, world_size, seed=3)
        sampler.set_subset(subset)
        sampler.set_epoch(2)
        per_rank.append(list(sampler))
        assert len(sampler) == math.ceil(subset_size / world_size)
        assert len(per_rank[-1]) == len(sampler)
    everything = [i for indices in per_rank for i in indices]
    assert set(everything) == set(subset)
    padded = len(everything) - subset_size
    assert padded == (-subset_size) % world_size
    # padding repeats the start of the epoch's order
    sampler = make(0, 1, seed=3)
    sampler.set_subset(subset)
    sampler.set_epoch(2)
    order = list(sampler)
    interleaved = [
        per_rank[r][i] for i in range(len(per_rank[0]))
        for r in range(world_size)
    ]
    assert interleaved == (order + order)[:len(interleaved)]


@pytest.mark.parametrize('world_size', [2, 3])
def test_round_up_false_is_refused_with_several_ranks(world_size):
    # Uneven ranks would wait for each other forever in DDP's all-reduce.
    with pytest.raises(
            ValueError,
            match=rf'world_size={world_size} > 1 gives the ranks different '
            r'numbers of iterations.*train_dataloader\.sampler\.round_up=True '
            rf'\(the default\), which repeats at most {world_size - 1} '):
        make(world_size - 1, world_size, seed=3, round_up=False)


def test_round_up_false_on_one_rank_yields_the_subset_once():
    subset = list(range(7))
    sampler = make(seed=3, round_up=False)
    sampler.set_subset(subset)
    indices = list(sampler)
    assert len(sampler) == len(indices) == 7
    assert sorted(indices) == subset


def test_set_subset_rejects_bad_indices():
    sampler = make(size=10, seed=0)
    with pytest.raises(ValueError, match=r'\[0, len\(dataset\)=10\)'):
        sampler.set_subset([0, 10])
    with pytest.raises(ValueError, match='distinct'):
        sampler.set_subset([1, 1])
    with pytest.raises(ValueError, match='empty'):
        sampler.set_subset([])


@pytest.mark.parametrize('kwargs, error, message', [
    (dict(shuffle=1), TypeError, 'shuffle must be a bool'),
    (dict(round_up='yes'), TypeError, 'round_up must be a bool'),
    (dict(seed=-1), ValueError, 'seed must be an integer >= 0'),
    (dict(seed=0.5), ValueError, 'seed must be an integer >= 0'),
])
def test_bad_arguments_name_the_key(kwargs, error, message):
    with pytest.raises(error, match=message):
        SubsetSampler(list(range(4)), **kwargs)
