"""``InterruptionScorer``: its checks, its rate (Eq. 4 by hand), its
loaders, and its pass equal to ``score_samples`` called by hand."""
import types

import pytest
import torch
from mmengine.config import ConfigDict
from sakd_stand_in import Clips, StandIn

from mmsakd.engine import build_scoring_loader, score_samples
from mmsakd.engine.sakd import InterruptionScorer
from mmsakd.registry import TASK_UTILS
from mmsakd.utils.dataset_cfg import innermost


def test_rate_is_eq_4():
    scorer = InterruptionScorer(theta=0.5)
    for epoch in range(5):
        expected = 1 - (1 - epoch / 4)**0.5
        assert scorer.rate(epoch, 4) == pytest.approx(expected, abs=1e-12)


def test_loaders():
    scorer = InterruptionScorer(batch_size=3)
    assert not scorer.attached
    with pytest.raises(RuntimeError, match='call attach'):
        scorer.loader()
    scorer.attach_dataset(Clips(8))
    assert scorer.attached and len(scorer.loader().dataset) == 8

    def order(loader):
        return [int(s.sample_idx) for b in loader for s in b['data_samples']]

    assert order(scorer.loader()) == list(range(8))
    assert scorer.loader() is scorer.loader()
    assert order(scorer.loader([6, 1, 4, 2])) == [6, 1, 4, 2]


@pytest.mark.parametrize('indices', [None, [0, 3, 4, 8, 9, 10, 15]])
def test_pass_equals_score_samples(indices):
    scorer = TASK_UTILS.build(
        dict(
            type='InterruptionScorer',
            eta=0.3,
            scope='clip',
            batch_size=4,
            d_max=3,
            progress=False))
    dataset = Clips(16)
    scorer.attach_dataset(dataset)
    model = StandIn(channels=5)
    timing = {}
    got = scorer(model, 0.6, 2, 7, indices, timing=timing)
    expected = score_samples(
        model,
        build_scoring_loader(dataset, 4, 0, 0, indices),
        0.6,
        2,
        seed=7,
        eta=0.3,
        scope='clip',
        progress=False,
        indices=indices,
        d_max=3)
    for a, b in zip(got[:3], expected[:3]):
        assert torch.equal(a, b)
    assert got.feats.shape[1] == 3
    assert got.skipped == []
    assert timing['data_time'] >= 0


def test_innermost():
    inner = dict(type='VideoDataset', pipeline=[])
    assert innermost(inner) is inner
    wrapped = dict(
        type='SkipBrokenClips', dataset=dict(type='Wrapper', dataset=inner))
    assert innermost(wrapped) is inner


def test_train_set_needs_a_pipeline():
    cfg = ConfigDict(
        train_dataloader=dict(dataset=dict(type='VideoDataset', pipeline=[])))
    runner = types.SimpleNamespace(cfg=cfg)
    with pytest.raises(
            ValueError, match='set default_hooks.sakd.scorer.pipeline'):
        InterruptionScorer().attach_train_set(runner)


@pytest.mark.parametrize('kwargs, error, message', [
    (dict(eta=0), ValueError, r'eta must be in \(0, 1\]'),
    (dict(theta=0), ValueError, 'theta must be > 0'),
    (dict(scope='frame'), ValueError, "scope must be 'batch' or 'clip'"),
    (dict(patch_size=0), ValueError, 'patch_size must be an integer >= 1'),
    (dict(batch_size=0), ValueError, 'batch_size must be an integer >= 1'),
    (dict(num_workers=-1), ValueError, 'num_workers must be an integer >= 0'),
    (dict(d_max=0), ValueError, 'd_max must be an integer >= 1'),
    (dict(pipeline=dict(type='DecordInit')), TypeError,
     'pipeline must be a list of transform configs or None'),
])
def test_bad_arguments_name_the_key(kwargs, error, message):
    with pytest.raises(error, match=message):
        InterruptionScorer(**kwargs)
