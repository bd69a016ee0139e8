"""The scoring pass with a stand-in distiller: dataset order, the
interruption of each global batch in the preprocessor's layout, the
exactly-once check, autocast."""
import time

import pytest
import torch
from mmaction.structures import ActionDataSample
from torch.utils.data import Dataset

from mmsakd.datasets import SkippedClip
from mmsakd.engine import build_scoring_loader, rank_batches, score_samples
from mmsakd.selection import project_features

N = 10
#: Per-sample shapes of the preprocessed inputs and the axis of their frames
#: (3D: V, C, T, H, W; 2D: segments, C, H, W), by ``format_shape``.
SHAPES = dict(NCTHW=((1, 3, 4, 4, 4), 2), NCHW=((4, 3, 4, 4), 0))


class Clips(Dataset):
    """Item ``i`` is a random clip whose ``sample_idx`` is ``order[i]``."""

    def __init__(self, order, format_shape='NCTHW'):
        gen = torch.Generator().manual_seed(0)
        shape = SHAPES[format_shape][0]
        self.clips = torch.rand((len(order), ) + shape, generator=gen) + 0.5
        self.order = order

    def __len__(self):
        return len(self.order)

    def __getitem__(self, i):
        sample = ActionDataSample()
        sample.set_metainfo(dict(sample_idx=int(self.order[i])))
        return dict(inputs=self.clips[i], data_samples=sample)


class Preprocessor:
    """Stacks the inputs, as ``ActionDataPreprocessor`` with
    ``format_shape``."""

    def __init__(self, format_shape):
        self.format_shape = format_shape

    def __call__(self, data, training):
        assert training is False
        return dict(
            inputs=torch.stack(data['inputs']),
            data_samples=data['data_samples'])


class Scorer:
    """Loss: the sum of the inputs; feature: the sum of each frame (or
    segment), so that an interrupted frame shows in its own column."""

    def __init__(self, format_shape='NCTHW'):
        self.data_preprocessor = Preprocessor(format_shape)
        self.time_dim = SHAPES[format_shape][1] + 1

    def score(self, inputs, data_samples):
        dims = [d for d in range(1, inputs.dim()) if d != self.time_dim]
        return dict(
            kd_loss=inputs.flatten(1).sum(1), teacher_feat=inputs.sum(dims))


def _frame_sums(dataset, format_shape):
    """``(N, T)`` sums of each clean frame, by ``sample_idx``."""
    clips = dataset.clips[torch.argsort(torch.tensor(dataset.order))]
    return Scorer(format_shape).score(clips, None)['teacher_feat']


def _scores(format_shape, rate, eta=0.5, batch_size=4):
    order = torch.randperm(N, generator=torch.Generator().manual_seed(1))
    dataset = Clips(order.tolist(), format_shape)
    loader = build_scoring_loader(dataset, batch_size=batch_size)
    scores = score_samples(
        Scorer(format_shape),
        loader,
        rate,
        epoch=2,
        seed=7,
        eta=eta,
        progress=False)
    assert scores.indices.tolist() == list(range(N))
    assert scores.skipped == []
    torch.testing.assert_close(scores.losses, scores.feats.sum(1))
    return dataset, scores


@pytest.mark.parametrize('format_shape', ['NCTHW', 'NCHW'])
def test_clean_scores_in_dataset_order(format_shape):
    dataset, scores = _scores(format_shape, 0.0)
    torch.testing.assert_close(
        scores.feats, _frame_sums(dataset, format_shape), rtol=0, atol=0)


@pytest.mark.parametrize(
    'format_shape, rate, eta, dropped',
    [
        ('NCTHW', 0.3, 0.5, 1),  # round(0.3 * 4)
        ('NCTHW', 0.8, 1.0, 3),  # round(0.8 * 4), eta = 1: always dropout
        ('NCHW', 0.3, 0.5, 1),
        ('NCHW', 0.45, 0.5, 2),  # round(1.8)
    ])
def test_dropout_zeroes_whole_frames_or_segments(format_shape, rate, eta,
                                                 dropped):
    # Fill 0 makes a dropped frame's sum exactly 0; the clean ones are
    # positive. A 2D batch read as (N, C, T, H, W) would zero a colour
    # channel of every segment instead: no column would be 0 and all
    # would change.
    dataset, scores = _scores(format_shape, rate, eta)
    clean = _frame_sums(dataset, format_shape)
    zero = scores.feats == 0
    assert zero.sum(1).tolist() == [dropped] * N
    torch.testing.assert_close(
        scores.feats[~zero], clean[~zero], rtol=0, atol=0)


@pytest.mark.parametrize('format_shape', ['NCTHW', 'NCHW'])
def test_shuffle_takes_frames_of_one_partner_per_clip(format_shape):
    # rate >= eta: round(0.5 * 4) = 2 positions of each clip receive the
    # frames of one other clip of its global batch, at the same positions.
    dataset, scores = _scores(format_shape, 0.8, 0.5, batch_size=5)
    clean = _frame_sums(dataset, format_shape)
    batches = [dataset.order[:5], dataset.order[5:]]
    for batch in batches:
        partners = []
        for i in batch:
            moved = (scores.feats[i] != clean[i]).nonzero().flatten()
            assert len(moved) == 2
            sources = {
                j
                for j in batch
                if j != i and torch.equal(scores.feats[i, moved], clean[j,
                                                                        moved])
            }
            assert len(sources) == 1
            partners.extend(sources)
        # Every clip gives its frames to exactly one other clip.
        assert sorted(partners) == sorted(batch)


def test_batches_interrupt_the_same_in_any_run():
    # The same global batch (sample order and index) is interrupted the
    # same way in another run, with or without other batches around it.
    dataset = Clips(list(range(N)))
    first = score_samples(
        Scorer(),
        build_scoring_loader(dataset, batch_size=4),
        0.8,
        epoch=2,
        seed=7,
        eta=1.0,
        progress=False)
    again = score_samples(
        Scorer(),
        build_scoring_loader(dataset, batch_size=4, indices=range(N)),
        0.8,
        epoch=2,
        seed=7,
        eta=1.0,
        progress=False,
        indices=range(N))
    other_epoch = score_samples(
        Scorer(),
        build_scoring_loader(dataset, batch_size=4),
        0.8,
        epoch=3,
        seed=7,
        eta=1.0,
        progress=False)
    torch.testing.assert_close(first.feats, again.feats, rtol=0, atol=0)
    assert not torch.equal(first.feats, other_epoch.feats)


def test_interruption_needs_a_known_format_shape():
    loader = build_scoring_loader(Clips(list(range(N))), batch_size=4)
    scorer = Scorer()
    scorer.data_preprocessor.format_shape = 'NCTHW_Heatmap'
    with pytest.raises(ValueError, match='format_shape'):
        score_samples(scorer, loader, 0.3, epoch=0, progress=False)


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
    assert (scores.feats == 0).sum(1).tolist() == [1] * len(kept)
    # The last batch is still global batch 2: interrupted as without the
    # markers.
    whole = score_samples(
        Scorer(),
        build_scoring_loader(Clips(list(range(N))), batch_size=4),
        0.3,
        epoch=1,
        seed=2,
        progress=False)
    torch.testing.assert_close(
        scores.feats[-2:], whole.feats[-2:], rtol=0, atol=0)


class Linear:
    """A scorer with a linear teacher and student, whose forward follows
    autocast."""

    def __init__(self):
        gen = torch.Generator().manual_seed(3)
        self.data_preprocessor = Preprocessor('NCTHW')
        self.teacher = torch.randn(192, 6, generator=gen)
        self.student = torch.randn(192, 6, generator=gen) * 0.5

    def score(self, inputs, data_samples):
        flat = inputs.flatten(1)
        teacher, student = flat @ self.teacher, flat @ self.student
        kd = torch.nn.functional.kl_div(
            student.float().log_softmax(1),
            teacher.float().log_softmax(1),
            log_target=True,
            reduction='none').sum(1)
        return dict(kd_loss=kd, teacher_feat=teacher)


def test_autocast_scores_in_its_dtype_returns_float32():
    dataset = Clips(list(range(N)))
    loader = build_scoring_loader(dataset, batch_size=4)
    full = score_samples(Linear(), loader, 0.3, epoch=1, progress=False)
    seen = []

    def bf16():
        seen.append(1)
        return torch.autocast('cpu', dtype=torch.bfloat16)

    mixed = score_samples(
        Linear(), loader, 0.3, epoch=1, progress=False, autocast=bf16, d_max=4)
    assert len(seen) == 3  # one context per batch
    assert mixed.losses.dtype == mixed.feats.dtype == torch.float32
    assert torch.isfinite(mixed.losses).all()
    # bfloat16 keeps 8 bits of mantissa: logits of about 10 to within
    # about 0.1, the KD losses to within a few percent.
    assert not torch.equal(mixed.losses, full.losses)
    torch.testing.assert_close(mixed.losses, full.losses, rtol=0.1, atol=0.05)
    # The projection runs in float32 on the bfloat16 teacher features.
    torch.testing.assert_close(
        mixed.feats,
        project_features(full.feats, 4, seed=0),
        rtol=0.05,
        atol=0.2)


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


def test_training_autocast_follows_the_amp_wrapper():
    from mmengine.optim import AmpOptimWrapper, OptimWrapper

    from mmsakd.engine import training_autocast
    plain = OptimWrapper(torch.optim.SGD([torch.zeros(1)], lr=0.1))
    assert training_autocast(plain) is None
    # AmpOptimWrapper refuses to be built without an accelerator; its
    # autocast needs only the dtype.
    amp = object.__new__(AmpOptimWrapper)
    amp.cast_dtype = torch.bfloat16
    with training_autocast(amp)():
        assert torch.is_autocast_enabled('cpu')
        assert torch.get_autocast_dtype('cpu') == torch.bfloat16
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    assert not torch.is_autocast_enabled('cpu')


def test_tiny_distiller_scores_under_bf16_close_to_fp32():
    """The tiny SlowFast pair scored under bfloat16 autocast: finite
    per-sample KD losses within 5 % (+ 1e-4) of float32's (measured: 0.7 %
    at most, losses of about 0.003)."""
    import os.path as osp

    from helpers import REPO_ROOT
    from mmengine.registry import init_default_scope

    from mmsakd.models import SAKDDistiller
    init_default_scope('mmsakd')
    torch.manual_seed(0)
    models = osp.join(REPO_ROOT, 'configs/_base_/models')
    model = SAKDDistiller(
        dict(cfg_path=osp.join(models, 'slowfast_tiny_student.py')),
        dict(cfg_path=osp.join(models, 'slowfast_tiny_teacher.py')),
        kd_loss=dict(type='KDLoss'),
        untrained_teacher=True)
    model.init_weights()
    gen = torch.Generator().manual_seed(1)
    clips = [
        dict(
            inputs=torch.randint(0, 256, (1, 3, 16, 32, 32),
                                 generator=gen).float(),
            data_samples=ActionDataSample(metainfo=dict(sample_idx=i)))
        for i in range(6)
    ]
    loader = build_scoring_loader(clips, batch_size=3)
    full = score_samples(model, loader, 0.3, epoch=1, progress=False)
    mixed = score_samples(
        model,
        loader,
        0.3,
        epoch=1,
        progress=False,
        autocast=lambda: torch.autocast('cpu', dtype=torch.bfloat16))
    assert mixed.losses.dtype == torch.float32
    assert torch.isfinite(mixed.losses).all()
    assert not torch.equal(mixed.losses, full.losses)
    torch.testing.assert_close(mixed.losses, full.losses, rtol=0.05, atol=1e-4)
