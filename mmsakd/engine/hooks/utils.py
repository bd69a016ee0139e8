"""Helpers shared by the hooks that train on a changing subset of the
training set (:class:`SAKDHook`, :class:`InfoBatchHook`,
:class:`RandomSubsetHook`)."""
from typing import Optional

from mmengine.model import is_model_wrapper
from torch import nn

from mmsakd.datasets.samplers import SubsetSampler


def unwrap_model(runner) -> nn.Module:
    """The runner's model without its wrapper (DDP and the like).

    Args:
        runner (Runner): The runner.

    Returns:
        nn.Module: ``runner.model.module`` for a wrapped model, else
        ``runner.model``.
    """
    model = runner.model
    return model.module if is_model_wrapper(model) else model


def check_by_epoch_schedulers(runner, hook_name: str) -> None:
    """Refuse parameter schedulers converted to iterations.

    A scheduler with ``convert_to_iter_based=True`` is sized from the full
    epoch length when it is built, but a subset hook shortens the epochs.

    Args:
        runner (Runner): The runner, whose ``cfg.param_scheduler`` is read.
        hook_name (str): The hook's name, used in the message.
    """
    schedulers = runner.cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for i, scheduler in enumerate(schedulers):
        if scheduler.get('convert_to_iter_based', False):
            # 'SAKDHook' -> 'SAKD', 'InfoBatchHook' -> 'InfoBatch'.
            method = hook_name[:-len('Hook')] if hook_name.endswith(
                'Hook') else hook_name
            raise ValueError(
                f'param_scheduler[{i}] ({scheduler.get("type")}) has '
                'convert_to_iter_based=True: it is sized from the full '
                f'epoch length at build time, but {method} trains on a '
                f'subset. Use by-epoch schedulers with {hook_name}.')


def fix_max_iters(runner) -> None:
    """Make ``max_iters`` (ETA, progress) follow the subset's length.

    The remaining epochs are counted at the current length of the training
    dataloader, i.e. of the subset set for this epoch.

    Args:
        runner (Runner): The runner, whose train loop is updated.
    """
    loop = runner.train_loop
    remaining = runner.max_epochs - runner.epoch
    loop._max_iters = runner.iter + remaining * len(runner.train_dataloader)


def resolve_seed(runner, seed: Optional[int]) -> int:
    """A hook's seed: ``seed`` itself, or the config's ``randomness.seed``
    (0 if unset) when it is None.

    Args:
        runner (Runner): The runner, whose ``cfg.randomness`` is read.
        seed (int, optional): The hook's own seed.

    Returns:
        int: The seed to use.
    """
    if seed is not None:
        return seed
    return int((runner.cfg.get('randomness') or {}).get('seed', 0) or 0)


def check_subset_sampler(runner, hook_name: str) -> SubsetSampler:
    """The training loader's :class:`SubsetSampler`; a TypeError naming the
    config key otherwise.

    Args:
        runner (Runner): The runner.
        hook_name (str): The hook's name, used in the message.

    Returns:
        SubsetSampler: ``runner.train_dataloader.sampler``.
    """
    sampler = runner.train_dataloader.sampler
    if not isinstance(sampler, SubsetSampler):
        raise TypeError(f'{hook_name} needs train_dataloader.sampler='
                        "dict(type='SubsetSampler'), got "
                        f'{type(sampler).__name__}')
    return sampler
