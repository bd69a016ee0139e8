"""The scoring pass with a stand-in distiller: dataset order, the
interruption of each global batch, the exactly-once check."""
import time

import pytest
import torch
from mmaction.structures import ActionDataSample
from torch.utils.data import Dataset

from mmsakd.engine import build_scoring_loader, rank_batches, score_samples
from mmsakd.selection import interrupt_batch, make_generator

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
