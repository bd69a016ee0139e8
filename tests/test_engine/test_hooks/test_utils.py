"""The helpers shared by the subset hooks (mmsakd/engine/hooks/utils.py,
schedulers.py)."""
import math
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import PARAM_SCHEDULERS

from mmsakd.engine.hooks.schedulers import plan_iter_schedulers
from mmsakd.engine.hooks.utils import epoch_iters, gather_sample_values


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


def _built(cfgs, plan, epoch_length):
    """An optimizer and the schedulers that a runner of ``len(plan)`` epochs
    of ``epoch_length`` iterations builds from ``cfgs``."""
    model = torch.nn.Linear(2, 2)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    schedulers = []
    for cfg in cfgs:
        cfg = dict(cfg)
        cfg.setdefault('end', len(plan))  # the runner's default
        schedulers.append(
            PARAM_SCHEDULERS.build(
                cfg,
                default_args=dict(optimizer=optim, epoch_length=epoch_length)))
    return optim, schedulers


def _lr_per_iter(optim, schedulers, num_iters):
    """The learning rate of every iteration, the schedulers stepped after
    each one as ``ParamSchedulerHook`` steps them."""
    lrs = []
    for _ in range(num_iters):
        lrs.append(optim.param_groups[0]['lr'])
        optim.step()
        for scheduler in schedulers:
            scheduler.step()
    return lrs


def _planned_lr_per_iter(cfgs, plan):
    """The rates of a run whose runner built ``cfgs`` on full epochs of
    ``max(plan)`` iterations, rebuilt by the plan."""
    optim, schedulers = _built(cfgs, plan, max(plan))
    runner = SimpleNamespace(
        cfg=Config(dict(param_scheduler=cfgs)),
        param_schedulers=schedulers,
        optim_wrapper=optim)
    plan_iter_schedulers(runner, plan, 'SAKDHook')
    return _lr_per_iter(optim, runner.param_schedulers, sum(plan))


def _converted(**cfg):
    return dict(cfg, by_epoch=True, convert_to_iter_based=True)


@pytest.mark.parametrize('cfgs', [
    [
        _converted(type='LinearLR', start_factor=0.1, begin=0, end=1),
        _converted(type='MultiStepLR', milestones=[1, 3], gamma=0.5, begin=2)
    ],
    [_converted(type='CosineAnnealingLR', T_max=3, eta_min=1e-3, begin=1)],
    [_converted(type='CosineAnnealingLR', T_max=10, eta_min=0., end=6)],
    [_converted(type='StepLR', step_size=2, gamma=0.5, begin=1)],
    [
        _converted(type='ConstantLR', factor=0.5, begin=0, end=2),
        _converted(type='PolyLR', power=2., eta_min=0., begin=2, end=8)
    ],
    [_converted(type='ExponentialLR', gamma=0.9, begin=1, end=4)],
])
def test_uniform_plan_gives_mmengines_conversion(cfgs):
    """On epochs of one length the rebuilt schedulers give, at every
    iteration, the rates of MMEngine's own ``convert_to_iter_based``:
    chained first steps taken once, milestones and ``step_size`` from
    ``begin``, ``T_max`` and ``end`` past the run."""
    plan = [4] * 6
    expected = _lr_per_iter(*_built(cfgs, plan, 4), sum(plan))
    assert _planned_lr_per_iter(cfgs, plan) == pytest.approx(
        expected, rel=1e-12)


@pytest.mark.parametrize('cfgs', [
    [_converted(type='MultiStepLR', milestones=[2], gamma=0.1, begin=2)],
    [_converted(type='MultiStepLR', milestones=[1, 3], gamma=0.5, begin=0)],
    [_converted(type='StepLR', step_size=1, gamma=0.5, begin=1, end=5)],
    [
        _converted(type='StepLR', step_size=2, gamma=0.5, begin=1),
        _converted(type='MultiStepLR', milestones=[1], gamma=0.1, begin=3)
    ],
])
def test_step_schedules_change_at_the_planned_epoch_starts(cfgs):
    """A SAKD-like plan (two full epochs, then subsets): the rate of every
    iteration is that of its epoch under the by-epoch schedule."""
    plan = [10, 10, 2, 2, 2, 2]
    by_epoch = [{
        k: v
        for k, v in cfg.items() if k != 'convert_to_iter_based'
    } for cfg in cfgs]
    optim, schedulers = _built(by_epoch, plan, None)
    per_epoch = _lr_per_iter(optim, schedulers, len(plan))
    expected = [lr for lr, n in zip(per_epoch, plan) for _ in range(n)]
    assert _planned_lr_per_iter(cfgs, plan) == pytest.approx(
        expected, rel=1e-12)


def test_issue_milestone_drops_at_iteration_24():
    lrs = _planned_lr_per_iter(
        [_converted(type='MultiStepLR', milestones=[2], gamma=0.1, begin=2)],
        [10, 10, 2, 2, 2, 2])
    assert lrs[23] == pytest.approx(0.1) and lrs[24] == pytest.approx(0.01)


def test_cosine_and_linear_follow_the_planned_steps():
    plan = [10, 10, 2, 2, 2, 2]  # epochs begin at 0, 10, 20, 22, 24, 26
    cosine = _planned_lr_per_iter([
        _converted(
            type='CosineAnnealingLR', T_max=4, eta_min=0., begin=1, end=5)
    ], plan)
    # From iteration 10 over the 16 iterations of epochs 1 to 4.
    expected = [0.1] * 10 + [
        0.05 * (1 + math.cos(math.pi * t / 16)) for t in range(16)
    ] + [0.05 * (1 + math.cos(math.pi * 15 / 16))] * 2
    assert cosine == pytest.approx(expected, rel=1e-9)
    linear = _planned_lr_per_iter(
        [_converted(type='LinearLR', start_factor=0.2, begin=2, end=4)], plan)
    # Factors 0.2 to 1 over the iterations 20 to 23 of epochs 2 and 3.
    expected = [0.1] * 20 + [0.1 * (0.2 + 0.8 * s / 3)
                             for s in range(4)] + [0.1] * 4
    assert linear == pytest.approx(expected, rel=1e-9)


def test_plan_maps_fractional_epochs():
    # Epochs of 6 and 2 iterations: epoch 0.5 begins at 3, 1.5 at 7.
    warmup = _converted(type='LinearLR', start_factor=0.5, begin=0.5, end=1.5)
    runner = _runner([warmup])
    plan_iter_schedulers(runner, [6, 2, 2], 'SAKDHook')
    built = runner.param_schedulers[0]
    assert (built.begin, built.end) == (3, 7)


@pytest.mark.parametrize('cfg, message', [
    (dict(
        type='CosineRestartLR',
        periods=[2, 2],
        restart_weights=[1, 1],
        eta_min=0.), r"\(CosineRestartLR\) has \['periods', "
     r"'restart_weights'\]"),
    (dict(type='MultiStepLR', milestones=[1],
          step_size=2), r"\(MultiStepLR\) has \['step_size'\]"),
    (dict(type='StepLR', step_size=0), 'must have step_size > 0, got 0'),
    (dict(type='LinearLR', begin=2, end=2), 'must have 0 <= begin < end'),
])
def test_plan_refuses_what_it_cannot_map(cfg, message):
    with pytest.raises(ValueError, match=r'param_scheduler\[0\] .*' + message):
        plan_iter_schedulers(_runner([_converted(**cfg)]), [3, 3], 'SAKDHook')


def test_gather_keeps_the_last_value_of_each_sample():
    indices, values = gather_sample_values(
        torch.tensor([4, 1, 4, 7]), torch.tensor([1., 2., 3., 4.]))
    assert indices.tolist() == [1, 4, 7]
    assert values.tolist() == [2., 3., 4.]
