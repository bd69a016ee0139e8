"""The scoring pass with a stand-in distiller: dataset order, the
interruption of each global batch, the exactly-once check."""
import time

import pytest
import torch
from mmaction.structures import ActionDataSample
from torch.utils.data import Dataset

from mmsakd.datasets import SkippedClip
from mmsakd.engine import build_scoring_loader, rank_batches, score_samples
from mmsakd.selection import interrupt_batch, make_generator, project_features

N = 10
SHAPE = (3, 4, 4, 4)  # C, T, H, W


class Clips(Dataset):
    """Item ``i`` is a random clip whose ``sample_idx`` is ``order[i]``."""

    def __init__(self, order):
        gen = torch.Generator().manual_seed(0)
        self.clips = torch.rand((len(order), ) + SHAPE, generator=gen)
        self.order = order

    def __len__(self):
        return len(self.order)

    def __getitem__(self, i):
        sample = ActionDataSample()
        sample.set_metainfo(dict(sample_idx=int(self.order[i])))
        return dict(inputs=self.clips[i], data_samples=sample)


class Scorer:
    """Loss: the sum of the inputs; feature: their first 5 values."""

    def data_preprocessor(self, data, training):
        assert training is False
        return dict(
            inputs=torch.stack(data['inputs']),
            data_samples=data['data_samples'])

    def score(self, inputs, data_samples):
        flat = inputs.flatten(1)
        return dict(kd_loss=flat.sum(1), teacher_feat=flat[:, :5])


def _expected(dataset, batch_size, rate, epoch, seed, eta):
    """Batch by batch with the pure functions, then by sample_idx."""
    losses = torch.empty(len(dataset))
    feats = torch.empty(len(dataset), 5)
    for b, start in enumerate(range(0, len(dataset), batch_size)):
        items = range(start, min(start + batch_size, len(dataset)))
        inputs = dataset.clips[list(items)]
        if rate > 0:
            inputs = interrupt_batch(
                inputs,
                rate,
                eta=eta,
                generator=make_generator(seed, epoch, b))
        idx = [dataset.order[i] for i in items]
        losses[idx] = inputs.flatten(1).sum(1)
        feats[idx] = inputs.flatten(1)[:, :5]
    return losses, feats


@pytest.mark.parametrize('rate, eta', [(0.0, 0.5), (0.3, 0.5), (0.8, 0.5),
                                       (0.8, 1.0)])
def test_scores_in_dataset_order_with_batch_interruption(rate, eta):
    order = torch.randperm(N, generator=torch.Generator().manual_seed(1))
    dataset = Clips(order.tolist())
    loader = build_scoring_loader(dataset, batch_size=4)
    scores = score_samples(
        Scorer(), loader, rate, epoch=2, seed=7, eta=eta, progress=False)
    losses, feats = scores.losses, scores.feats
    assert scores.indices.tolist() == list(range(N))
    assert scores.skipped == []
    ref_losses, ref_feats = _expected(dataset, 4, rate, 2, 7, eta)
    assert losses.shape == (N, ) and feats.shape == (N, 5)
    torch.testing.assert_close(losses, ref_losses, rtol=0, atol=0)
    torch.testing.assert_close(feats, ref_feats, rtol=0, atol=0)
    if rate == 0:
        clean = dataset.clips.flatten(1).sum(1)
        torch.testing.assert_close(losses[order], clean, rtol=0, atol=0)
    else:
        # The interruption changed the scores.
        assert not torch.equal(losses, _expected(dataset, 4, 0, 2, 7, eta)[0])


class BrokenClips(Clips):
    """Items in ``broken`` come out as SkipBrokenClips' markers."""

    def __init__(self, order, broken):
        super().__init__(order)
        self.broken = broken

    def __getitem__(self, i):
        if i in self.broken:
            return SkippedClip(i, f'clip {i}: broken')
        return super().__getitem__(i)


def test_skipped_samples_are_listed_not_scored():
    # Batches of 4: clip 1 in the first, the whole second batch (4-7).
    broken = [1, 4, 5, 6, 7]
    dataset = BrokenClips(list(range(N)), broken)
    loader = build_scoring_loader(dataset, batch_size=4)
    scores = score_samples(
        Scorer(), loader, 0.3, epoch=1, seed=2, progress=False)
    kept = [i for i in range(N) if i not in broken]
    assert scores.indices.tolist() == kept
    assert scores.skipped == [(i, f'clip {i}: broken') for i in broken]
    # The others as without the markers (same batches, same interruption
    # per batch, one clip fewer in the first).
    ref_losses, ref_feats = [], []
    for b, items in enumerate(([0, 2, 3], [8, 9])):
        inputs = interrupt_batch(
            dataset.clips[items], 0.3, generator=make_generator(2, 1, 2 * b))
        ref_losses.append(inputs.flatten(1).sum(1))
        ref_feats.append(inputs.flatten(1)[:, :5])
    torch.testing.assert_close(scores.losses, torch.cat(ref_losses))
    torch.testing.assert_close(scores.feats, torch.cat(ref_feats))


def test_features_are_projected_batch_by_batch():
    dataset = Clips(list(range(N)))
    loader = build_scoring_loader(dataset, batch_size=4)
    wide = score_samples(Scorer(), loader, 0.0, epoch=0, progress=False)
    narrow = score_samples(
        Scorer(), loader, 0.0, epoch=0, seed=3, progress=False, d_max=2)
    assert narrow.feats.shape == (N, 2)
    torch.testing.assert_close(narrow.feats,
                               project_features(wide.feats, 2, seed=3))
    torch.testing.assert_close(narrow.losses, wide.losses, rtol=0, atol=0)
    # At most d_max channels already: unchanged.
    same = score_samples(
        Scorer(), loader, 0.0, epoch=0, progress=False, d_max=5, dst=0)
    torch.testing.assert_close(same.feats, wide.feats, rtol=0, atol=0)


def test_loader_is_this_ranks_share_in_order():
    loader = build_scoring_loader(Clips(list(range(N))), batch_size=4)
    assert list(loader.sampler) == rank_batches(N, 4, 0, 1) == list(range(N))
    assert [len(b['inputs']) for b in loader] == [4, 4, 2]


def test_every_sample_exactly_once():
    dataset = Clips([0, 1, 2, 2, 4])  # sample 3 missing, 2 twice
    loader = build_scoring_loader(dataset, batch_size=2)
    with pytest.raises(RuntimeError, match='exactly once'):
        score_samples(Scorer(), loader, 0.0, epoch=0, progress=False)


class SlowClips(Clips):
    """Loading an item takes ``DELAY`` seconds."""
    DELAY = 0.02

    def __getitem__(self, i):
        time.sleep(self.DELAY)
        return super().__getitem__(i)


class SlowScorer(Scorer):
    """Scoring a batch takes ``DELAY`` seconds."""
    DELAY = 0.05

    def score(self, inputs, data_samples):
        time.sleep(self.DELAY)
        return super().score(inputs, data_samples)


def test_timing_counts_loader_waits_not_scoring():
    loader = build_scoring_loader(SlowClips(list(range(N))), batch_size=4)
    timing = dict()
    start = time.perf_counter()
    score_samples(
        SlowScorer(), loader, 0.0, epoch=0, progress=False, timing=timing)
    total = time.perf_counter() - start
    # N items loaded in the main process; 3 batches scored.
    assert timing['data_time'] >= N * SlowClips.DELAY
    assert timing['data_time'] <= total - 3 * SlowScorer.DELAY


def test_results_go_to_dst_only(monkeypatch):
    """With ``dst``, the other ranks get None and ``dst`` every rank's
    samples (``gather_object`` stands in for the collective)."""
    from mmsakd.engine import scoring
    dataset = BrokenClips(list(range(N)), [5])
    single = score_samples(
        Scorer(),
        build_scoring_loader(dataset, batch_size=4),
        0.0,
        epoch=0,
        progress=False)
    shares = {}
    for rank in (0, 1):
        monkeypatch.setattr(scoring, 'get_dist_info', lambda: (rank, 2))
        monkeypatch.setattr(
            scoring, 'gather_object',
            lambda obj, dst: shares.setdefault(rank, obj) and None)
        loader = build_scoring_loader(dataset, batch_size=4)
        # Each rank's share, sent to the other rank.
        assert score_samples(
            Scorer(), loader, 0.0, epoch=0, progress=False,
            dst=1 - rank) is None
    monkeypatch.setattr(scoring, 'get_dist_info', lambda: (0, 2))
    monkeypatch.setattr(scoring, 'gather_object',
                        lambda obj, dst: [shares[0], shares[1]])
    gathered = score_samples(
        Scorer(),
        build_scoring_loader(dataset, batch_size=4),
        0.0,
        epoch=0,
        progress=False,
        dst=0)
    assert gathered.indices.tolist() == single.indices.tolist()
    assert gathered.skipped == single.skipped == [(5, 'clip 5: broken')]
    torch.testing.assert_close(gathered.feats, single.feats, rtol=0, atol=0)
