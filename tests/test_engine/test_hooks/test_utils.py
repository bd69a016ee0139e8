"""The helpers shared by the subset hooks (mmsakd/engine/hooks/utils.py)."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from mmsakd.engine.hooks.utils import (epoch_iters, gather_sample_values,
                                       plan_iter_schedulers)


def _runner(schedulers, loader=None):
    model = torch.nn.Linear(2, 2)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    return SimpleNamespace(
        cfg=Config(dict(param_scheduler=schedulers)),
        param_schedulers=[None] * len(schedulers),
        optim_wrapper=optim,
        train_dataloader=loader)


@pytest.mark.parametrize('num, world, batch, drop_last, round_up, expected',
                         [(24, 1, 4, False, True, 6),
                          (6, 1, 4, False, True, 2), (6, 1, 4, True, True, 1),
                          (7, 2, 2, False, True, 2),
                          (5, 2, 2, False, False, 2)])
def test_epoch_iters(num, world, batch, drop_last, round_up, expected):
    sampler = SimpleNamespace(world_size=world, round_up=round_up)
    loader = SimpleNamespace(
        sampler=sampler, batch_size=batch, drop_last=drop_last)
    assert epoch_iters(SimpleNamespace(train_dataloader=loader),
                       num) == expected


def test_plan_maps_epoch_boundaries_to_planned_iterations():
    cosine = dict(
        type='CosineAnnealingLR',
        T_max=3,
        eta_min=0.,
        by_epoch=True,
        begin=1,
        end=4,
        convert_to_iter_based=True)
    steps = dict(
        type='MultiStepLR',
        milestones=[2, 3],
        by_epoch=True,
        begin=0,
        end=4,
        convert_to_iter_based=True)
    by_epoch = dict(type='ConstantLR', factor=1.0, by_epoch=True, end=4)
    runner = _runner([cosine, steps, by_epoch])
    # Epochs of 6, 2, 2 and 6 iterations: boundaries 0, 6, 8, 10, 16.
    assert plan_iter_schedulers(runner, [6, 2, 2, 6], 'SAKDHook') == 2
    built, multi, untouched = runner.param_schedulers
    assert (built.begin, built.end, built.T_max) == (6, 16, 10)
    assert not built.by_epoch
    assert list(multi.milestones) == [8, 10]
    assert untouched is None  # by-epoch schedulers are left alone
    # Nothing to plan without a converted scheduler.
    assert plan_iter_schedulers(_runner([by_epoch]), [1], 'SAKDHook') == 0


def test_plan_refuses_what_it_cannot_map():
    step = dict(
        type='StepLR', step_size=2, by_epoch=True, convert_to_iter_based=True)
    with pytest.raises(
            ValueError,
            match=r"param_scheduler\[0\] \(StepLR\) "
            r"has \['step_size'\]"):
        plan_iter_schedulers(_runner([step]), [3, 3], 'SAKDHook')


def test_gather_keeps_the_last_value_of_each_sample():
    indices, values = gather_sample_values(
        torch.tensor([4, 1, 4, 7]), torch.tensor([1., 2., 3., 4.]))
    assert indices.tolist() == [1, 4, 7]
    assert values.tolist() == [2., 3., 4.]
