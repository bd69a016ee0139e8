"""SkipBrokenClips: skipping only once turned on, markers instead of clips,
each skipped clip recorded once, the limit on skipped clips, the collate
function, and the sampler leaving skipped clips out."""
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import FUNCTIONS

from mmsakd.datasets import (ClipLoadError, SkipBrokenClips, SkippedClip,
                             skip_broken_collate, skipped_mask)
from mmsakd.datasets.samplers import SubsetSampler

BROKEN = (1, 3)


class Clips:
    """Ten clips; loading clips 1 and 3 fails as a truncated video does."""

    metainfo = dict(name='clips')

    def __len__(self):
        return 10

    def get_data_info(self, idx):
        return dict(filename=f'{idx}.mp4', label=idx % 2)

    def __getitem__(self, idx):
        if idx in BROKEN:
            raise ClipLoadError(f'cannot load clip {idx} of Clips: {idx}.mp4: '
                                'RuntimeError: Error reading 4108 bytes\n'
                                'Hint: run check_videos.py')
        return dict(inputs=torch.full((2, ), float(idx)), data_samples=idx)


def test_skipping_is_off_until_turned_on():
    dataset = SkipBrokenClips(Clips())
    assert len(dataset) == 10 and dataset.get_data_info(3)['label'] == 1
    assert dataset.metainfo == dict(name='clips')
    # Off: the named error, as without the wrapper.
    with pytest.raises(ClipLoadError, match='cannot load clip 1 of Clips'):
        dataset[1]
    dataset.enable_skipping()
    marker = dataset[1]
    assert marker == SkippedClip(
        1, 'clip 1 of Clips: 1.mp4: RuntimeError: Error reading 4108 bytes')
    assert torch.equal(dataset[2]['inputs'], torch.full((2, ), 2.))
    # Loading alone records nothing: the main process reports.
    assert dataset.skipped == {}


def test_report_records_each_clip_once():
    dataset = SkipBrokenClips(Clips(), max_skip_ratio=0.2)
    dataset.enable_skipping()
    assert dataset.report([dataset[3]], 'training epoch 0') == [3]
    assert dataset.report([dataset[3], dataset[1]]) == [1]
    assert dataset.report([(1, 'again')]) == []
    assert sorted(dataset.skipped) == [1, 3]
    assert dataset.skipped[1].startswith('clip 1 of Clips: 1.mp4')
    expected = torch.zeros(10, dtype=torch.bool)
    expected[[1, 3]] = True
    assert torch.equal(dataset.skipped_mask(), expected)
    assert torch.equal(skipped_mask(dataset), expected)
    assert not skipped_mask(list(range(4))).any()
    # One process: nothing to share.
    assert dataset.sync() == []


def test_more_skipped_than_allowed_stops_the_run():
    dataset = SkipBrokenClips(Clips(), max_skip_ratio=0.1)
    dataset.enable_skipping()
    dataset.report([dataset[1]])
    with pytest.raises(RuntimeError) as err:
        dataset.report([dataset[3]])
    message = str(err.value)
    assert '2 of the 10 clips could not be loaded' in message
    assert 'max_skip_ratio=0.1' in message
    assert 'the first: clip 1 of Clips: 1.mp4' in message


@pytest.mark.parametrize('value', [-0.1, 1.5, True, '0.1', None])
def test_max_skip_ratio_is_checked(value):
    with pytest.raises(
            ValueError, match=r'max_skip_ratio must be '
            r'in \[0, 1\]'):
        SkipBrokenClips(Clips(), max_skip_ratio=value)


def test_dataset_is_checked():
    with pytest.raises(
            TypeError,
            match='dataset must be a dataset or its '
            'config dict, got int'):
        SkipBrokenClips(5)


def test_collate_drops_the_markers():
    dataset = SkipBrokenClips(Clips())
    dataset.enable_skipping()
    batch = skip_broken_collate([dataset[i] for i in (0, 1, 2, 3)])
    expected = pseudo_collate([dataset[0], dataset[2]])
    assert batch['data_samples'] == expected['data_samples'] == [0, 2]
    for got, want in zip(batch['inputs'], expected['inputs']):
        assert torch.equal(got, want)
    assert [index for index, _ in batch['skipped']] == [1, 3]
    # Without markers, exactly pseudo_collate; markers only: no inputs.
    assert skip_broken_collate([dataset[4]
                                ]).keys() == {'inputs', 'data_samples'}
    assert skip_broken_collate([dataset[1]
                                ]) == dict(skipped=[tuple(dataset[1])])
    # Found where the Runner looks a collate_fn up.
    assert FUNCTIONS.get('skip_broken_collate') is skip_broken_collate


def test_sampler_leaves_skipped_clips_out():
    dataset = SkipBrokenClips(Clips())
    sampler = SubsetSampler(dataset, shuffle=True, seed=0)
    dataset.skipped = {1: 'x', 3: 'y'}
    # The readable clips, shuffled as a subset of them would be.
    readable = [0, 2, 4, 5, 6, 7, 8, 9]
    order = torch.randperm(8, generator=torch.Generator().manual_seed(0))
    assert list(sampler) == [readable[i] for i in order]
    assert len(sampler) == 8
    sampler.set_subset([0, 1, 2])
    assert sorted(sampler) == [0, 2] and len(sampler) == 2
    assert sampler.subset == [0, 2]


def test_sync_gives_every_rank_the_union(monkeypatch):
    """Two ranks that found different clips know both after ``sync``
    (``all_gather_object`` stands in for the collective)."""
    from mmsakd.datasets import skip_broken_clips as module
    ranks = [SkipBrokenClips(Clips(), max_skip_ratio=0.5) for _ in range(2)]
    ranks[0].report([(1, 'clip 1: broken')])
    ranks[1].report([(3, 'clip 3: broken')])
    monkeypatch.setattr(module, 'get_dist_info', lambda: (0, 2))
    monkeypatch.setattr(module, 'all_gather_object',
                        lambda obj: [sorted(r.skipped.items()) for r in ranks])
    assert ranks[0].sync() == [3]
    assert ranks[1].sync() == [1]
    assert ranks[0].skipped == ranks[1].skipped == {
        1: 'clip 1: broken',
        3: 'clip 3: broken'
    }
