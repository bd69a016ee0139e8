"""ReplayAugmentation: each clip's random pipeline as a function of (seed,
view, index), in the main process, in (persistent) workers and in other
wrapper instances; the global generators left as they were; the epoch
required; argument checks."""
import random

import numpy as np
import pytest
import torch
from mmaction.datasets.transforms import (FormatShape, PackActionInputs,
                                          RandomResizedCrop, Resize)
from mmengine.dataset import BaseDataset, pseudo_collate

from mmsakd.datasets import ReplayAugmentation, replay_seeds
from mmsakd.registry import DATASETS, TRANSFORMS

NUM_CLIPS = 6


@TRANSFORMS.register_module(force=True)
class ReplayTestDraws:
    """Draws from the three global generators, as random transforms do."""

    def __call__(self, results):
        results['draws'] = (random.random(), float(np.random.rand()),
                            float(torch.rand(1)))
        return results


@DATASETS.register_module(force=True)
class ReplayTestClips(BaseDataset):
    """Six fixed clips of 4 random uint8 frames of 12 x 12, loaded through
    random transforms."""

    def __init__(self, **kwargs):
        pipeline = [
            RandomResizedCrop(),
            Resize(scale=(8, 8), keep_ratio=False),
            TRANSFORMS.build(dict(type='ReplayTestDraws')),
            FormatShape(input_format='NCTHW'),
            PackActionInputs(meta_keys=('draws', 'crop_bbox')),
        ]
        super().__init__(pipeline=pipeline, serialize_data=False, **kwargs)

    def load_data_list(self):
        frames = np.random.default_rng(0).integers(
            0, 256, (NUM_CLIPS, 4, 12, 12, 3), dtype=np.uint8)
        return [
            dict(imgs=list(f), clip_len=4, num_clips=1, label=i % 2)
            for i, f in enumerate(frames)
        ]

    def prepare_data(self, idx):
        results = self.get_data_info(idx)
        results['imgs'] = list(results['imgs'])  # transforms replace it
        results['img_shape'] = results['original_shape'] = (12, 12)
        return self.pipeline(results)


def make(epoch=0, **kwargs):
    dataset = ReplayAugmentation(dict(type='ReplayTestClips'), **kwargs)
    if epoch is not None:
        dataset.set_epoch(epoch)
    return dataset


def key(item):
    """What the pipeline drew for one loaded item."""
    sample = item['data_samples']
    return (item['inputs'].numpy().tobytes(), sample.draws,
            tuple(sample.crop_bbox))


def load_all(dataset):
    return [key(dataset[i]) for i in range(len(dataset))]


def test_same_epoch_and_index_give_the_same_clip():
    dataset = make(epoch=3)
    first = load_all(dataset)
    # Another order, and draws in between, change nothing.
    random.random(), np.random.rand(), torch.rand(1)
    assert [key(dataset[i]) for i in reversed(range(NUM_CLIPS))] == \
        first[::-1]
    assert len(set(first)) == NUM_CLIPS  # the clips differ from each other
    item = dataset[2]['data_samples']
    assert (item.sample_idx, item.aug_view) == (2, 3)
    assert dataset.epoch == 3 and len(dataset) == NUM_CLIPS
    assert dataset.get_data_info(1)['label'] == 1


def test_epochs_are_views_and_num_views_cycles():
    dataset = make()
    views = []
    for epoch in range(3):
        dataset.set_epoch(epoch)
        views.append(load_all(dataset))
    assert all(a != b for a, b in zip(views[0], views[1]))
    assert all(a != b for a, b in zip(views[0], views[2]))
    cycled = make(num_views=2)
    cycled_views = []
    for epoch in range(3):
        cycled.set_epoch(epoch)
        cycled_views.append(load_all(cycled))
    assert cycled_views[0] == cycled_views[2] == views[0]
    assert cycled_views[1] == views[1]
    assert cycled[4]['data_samples'].aug_view == 0
    assert [cycled.view_of(e) for e in range(5)] == [0, 1, 0, 1, 0]
    assert [dataset.view_of(e) for e in range(3)] == [0, 1, 2]


def test_the_seed_changes_the_views():
    assert load_all(make(seed=1)) != load_all(make(seed=0))
    assert replay_seeds(0, 1, 2) != replay_seeds(0, 2, 1)


def test_other_instances_replay_the_same_clips():
    # Another rank, or a resumed process, builds its own wrapper.
    assert load_all(make(epoch=5)) == load_all(make(epoch=5))


def test_global_generators_are_left_as_they_were():
    dataset = make(epoch=1)
    random.seed(7)
    np.random.seed(7)
    torch.manual_seed(7)
    expected = (random.random(), float(np.random.rand()), float(torch.rand(1)))
    random.seed(7)
    np.random.seed(7)
    torch.manual_seed(7)
    dataset[0]
    assert (random.random(), float(np.random.rand()),
            float(torch.rand(1))) == expected


class Failing:

    def __len__(self):
        return 1

    def __getitem__(self, idx):
        torch.rand(1)
        return 1 / 0


def test_an_error_in_the_pipeline_restores_the_generators():
    dataset = ReplayAugmentation(Failing())
    dataset.set_epoch(0)
    state = torch.get_rng_state()
    with pytest.raises(ZeroDivisionError):
        dataset[0]
    assert torch.equal(torch.get_rng_state(), state)


def loaded(loader):
    """Index -> what the pipeline drew, for one pass of ``loader``."""
    return {
        int(s.sample_idx): key(dict(inputs=x, data_samples=s))
        for batch in loader
        for x, s in zip(batch['inputs'], batch['data_samples'])
    }


@pytest.mark.parametrize('persistent', [False, True])
def test_workers_load_what_the_main_process_loads(persistent):
    dataset = make(epoch=None)
    main = torch.utils.data.DataLoader(
        dataset, batch_size=2, shuffle=False, collate_fn=pseudo_collate)
    workers = torch.utils.data.DataLoader(
        dataset,
        batch_size=2,
        shuffle=True,
        num_workers=2,
        persistent_workers=persistent,
        collate_fn=pseudo_collate)
    for epoch in range(2):
        dataset.set_epoch(epoch)
        expected = loaded(main)
        assert expected == dict(enumerate(load_all(dataset)))
        assert loaded(workers) == expected


def test_test_mode_loads_as_it_is():
    # SAKD's scoring pass builds the wrapped set in test mode, unset epoch.
    dataset = make(epoch=None, lazy_init=True)
    dataset.dataset.test_mode = True
    dataset.full_init()
    assert not hasattr(dataset[0]['data_samples'], 'aug_view')


def test_loading_needs_an_epoch():
    dataset = make(epoch=None)
    assert dataset.epoch is None
    with pytest.raises(RuntimeError, match='ReplayAugmentationHook'):
        dataset[0]


@pytest.mark.parametrize('name,value', [('seed', -1), ('seed', 1.0),
                                        ('seed', True), ('num_views', 0),
                                        ('num_views', 2.0)])
def test_arguments_are_checked(name, value):
    with pytest.raises(ValueError, match=f'{name} must be an integer >= '):
        make(**{name: value})


def test_epoch_and_lazy_init_are_checked():
    with pytest.raises(ValueError, match='epoch must be an integer >= 0'):
        make(epoch=-1)
    with pytest.raises(ValueError, match='epoch must be an integer >= 0'):
        make().view_of(-2)
    with pytest.raises(TypeError, match='lazy_init must be a bool'):
        make(lazy_init=1)
    with pytest.raises(TypeError, match='dataset must be a dataset'):
        ReplayAugmentation(3)
