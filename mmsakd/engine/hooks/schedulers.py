"""Schedulers converted to iterations, rebuilt over the iterations that a
subset hook plans for every epoch (docs/method.md#learning-rate-per-step).
"""
import math
from typing import Sequence

from mmengine.optim.scheduler import (MultiStepLR, MultiStepMomentum,
                                      MultiStepParamScheduler, StepLR,
                                      StepMomentum, StepParamScheduler)
from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler

from mmsakd.selection import as_fraction

#: Scheduler arguments in epochs that :func:`plan_iter_schedulers` maps to
#: planned iterations: ``begin`` and ``end`` are epochs of the run, the
#: others are counted from ``begin``, as MMEngine's schedulers count them.
_EPOCH_ARGS = ('begin', 'end', 'T_max', 'milestones', 'step_size')

#: Scheduler arguments that are values, not epochs.
_VALUE_ARGS = ('type', 'by_epoch', 'convert_to_iter_based', 'eta_min',
               'eta_min_ratio', 'start_factor', 'end_factor', 'factor',
               'power', 'gamma', 'verbose', 'param_name')

#: Step schedulers and the multi-step ones they are rebuilt as: a period of
#: ``step_size`` epochs spans different numbers of planned iterations.
_MULTI_STEP = {
    StepLR: MultiStepLR,
    StepMomentum: MultiStepMomentum,
    StepParamScheduler: MultiStepParamScheduler,
}


def _planned_iter(bounds: Sequence[int], epoch) -> int:
    """The planned iteration at which ``epoch`` begins.

    A fractional epoch ``e`` begins ``floor(frac(e) * length)`` iterations
    into its epoch, as MMEngine's ``int(e * epoch_length)`` for epochs of
    one length; past the plan, epochs are as long as its last one.

    Args:
        bounds (Sequence[int]): ``0`` and the cumulative planned
            iterations at the end of every epoch.
        epoch (float): The epoch, >= 0, exact as written
            (:func:`~mmsakd.selection.as_fraction`).

    Returns:
        int: The 0-based iteration.
    """
    epoch = as_fraction(epoch)
    last = len(bounds) - 1
    whole = min(math.floor(epoch), last - 1)
    length = bounds[whole + 1] - bounds[whole]
    return bounds[whole] + math.floor((epoch - whole) * length)


def _planned_cfg(cfg: dict, index: int, bounds: Sequence[int],
                 hook_name: str) -> dict:
    """The iteration-based config of a converted scheduler on a plan."""
    from mmengine.registry import PARAM_SCHEDULERS
    name = f'param_scheduler[{index}] ({cfg.get("type")})'
    unknown = sorted(set(cfg) - set(_EPOCH_ARGS) - set(_VALUE_ARGS))
    scheduler_type = cfg.get('type')
    if isinstance(scheduler_type, str):
        scheduler_type = PARAM_SCHEDULERS.get(scheduler_type)
    if 'step_size' in cfg and scheduler_type not in _MULTI_STEP:
        unknown.append('step_size')
    if unknown:
        raise ValueError(
            f'{name} has {unknown}, which {hook_name} cannot map from '
            'epochs to its planned iterations; use arguments among '
            f'{list(_EPOCH_ARGS)} and value settings only')
    num_epochs = len(bounds) - 1
    # The runner's default end: the last training epoch.
    begin, end = cfg.get('begin', 0), cfg.get('end', num_epochs)
    if not 0 <= begin < end:
        raise ValueError(f'{name} must have 0 <= begin < end, got '
                         f'begin={begin}, end={end}')
    begin, end = as_fraction(begin), as_fraction(end)
    start = _planned_iter(bounds, begin)

    def span(epochs) -> int:
        """Planned iterations from ``begin`` to ``epochs`` after it."""
        return _planned_iter(bounds, begin + as_fraction(epochs)) - start

    new = {k: v for k, v in cfg.items() if k != 'convert_to_iter_based'}
    new.update(
        by_epoch=False,
        begin=start,
        end=INF if end >= INF else _planned_iter(bounds, end))
    if cfg.get('T_max') is not None:
        new['T_max'] = max(1, span(cfg['T_max']))
    if 'milestones' in cfg:
        new['milestones'] = [span(m) for m in cfg['milestones']]
    if 'step_size' in cfg:
        step = as_fraction(new.pop('step_size'))
        if step <= 0:
            raise ValueError(
                f'{name} must have step_size > 0, got {cfg["step_size"]}')
        # Decays at begin + step_size, begin + 2 * step_size, ... until
        # the scheduler or the run ends.
        stop = min(end, num_epochs)
        count = math.ceil((stop - begin) / step)
        new.update(
            type=_MULTI_STEP[scheduler_type],
            milestones=[span(j * step) for j in range(1, count)])
    return new


def _retake_first_step(scheduler: _ParamScheduler) -> None:
    """Take a built scheduler's first step again, as its constructor did."""
    scheduler.last_step = -1
    scheduler._global_step = -1
    scheduler.step()


def plan_iter_schedulers(runner, iters_per_epoch: Sequence[int],
                         hook_name: str) -> int:
    """Size the schedulers converted to iterations from a plan of the
    iterations of every epoch.

    MMEngine converts a by-epoch scheduler with
    ``convert_to_iter_based=True`` by multiplying its epochs by the full
    epoch length when it is built; a hook that trains some epochs on a
    subset knows the real lengths. Each such scheduler is rebuilt with its
    epochs mapped to the planned iterations, so that the schedule follows
    the optimizer steps actually taken
    (docs/method.md#learning-rate-per-step): ``begin`` and ``end`` to the
    iterations at which those epochs begin; ``T_max``, ``milestones`` and
    ``step_size``, which MMEngine counts from ``begin``, to the iterations
    from ``begin`` to ``begin + T_max`` and so on. A ``StepLR`` (or
    ``StepMomentum``) becomes the ``MultiStepLR`` (``MultiStepMomentum``)
    that decays at ``begin + step_size``, ``begin + 2 * step_size``, ...
    On a plan of epochs of one length every scheduler gives the values of
    MMEngine's own conversion at every iteration.

    The runner's build has already taken every scheduler's first step,
    which a chained scheduler (``LinearLR``, ``ConstantLR``) applies to
    the current value: the values are reset to their initial ones and the
    first steps are taken again, in order, by the rebuilt schedulers and
    the others. Call it before the checkpoint is resumed (``before_run``),
    which then restores their state.

    Args:
        runner (Runner): The runner; ``runner.param_schedulers`` (a list),
            ``runner.cfg.param_scheduler`` and ``runner.optim_wrapper`` are
            read.
        iters_per_epoch (Sequence[int]): Planned iterations of each epoch,
            one or more.
        hook_name (str): The hook's name, used in the messages.

    Returns:
        int: The number of schedulers rebuilt.
    """
    from mmengine.registry import PARAM_SCHEDULERS
    cfgs = runner.cfg.get('param_scheduler') or []
    if isinstance(cfgs, dict):
        cfgs = [cfgs]
    schedulers = runner.param_schedulers
    converted = [
        i for i, cfg in enumerate(cfgs) if
        cfg.get('convert_to_iter_based', False) and cfg.get('by_epoch', True)
    ]
    if not converted:
        return 0
    if not isinstance(schedulers, list) or len(schedulers) != len(cfgs):
        raise ValueError(f'{hook_name} plans iteration-based schedulers for '
                         'a single optimizer: param_scheduler must be a list')
    if not iters_per_epoch:
        raise ValueError(f'{hook_name} planned no epochs')
    bounds = [0]
    for iters in iters_per_epoch:
        bounds.append(bounds[-1] + int(iters))
    planned = {
        i: _planned_cfg(cfgs[i], i, bounds, hook_name)
        for i in converted
    }
    optimizer = runner.optim_wrapper
    # Undo the first steps of the runner's build: back to the initial values.
    for group in optimizer.param_groups:
        for key in list(group):
            if key.startswith('initial_') and key[8:] in group:
                group[key[8:]] = group[key]
    for i, scheduler in enumerate(schedulers):
        if i in planned:
            schedulers[i] = PARAM_SCHEDULERS.build(
                dict(planned[i], optimizer=optimizer))
        elif isinstance(scheduler, _ParamScheduler):
            _retake_first_step(scheduler)
    return len(planned)
