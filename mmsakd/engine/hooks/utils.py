"""Helpers shared by the hooks that train on a changing subset of the
training set (:class:`SAKDHook`, :class:`InfoBatchHook`,
:class:`RandomSubsetHook`)."""
import math
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.dist import all_gather, get_dist_info
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop
from torch import Tensor, nn

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


def check_epoch_loop(runner, hook_name: str, why: str) -> None:
    """Refuse a train loop that is not epoch-based, naming the hook, why it
    needs epochs and the config key to set.

    Args:
        runner (Runner): The runner.
        hook_name (str): The hook's name, used in the message.
        why (str): Why the hook needs epochs, ending the first sentence.
    """
    loop = runner.train_loop
    if not isinstance(loop, EpochBasedTrainLoop):
        raise TypeError(
            f'{hook_name} needs an epoch-based train loop '
            f'(EpochBasedTrainLoop or a subclass), since {why}; got '
            f'{type(loop).__name__}: set '
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=...)")


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


def fix_max_iters(runner,
                  iters_per_epoch: Optional[Sequence[int]] = None) -> None:
    """Make ``max_iters`` (ETA, progress) follow the subset's length.

    Without a plan, the remaining epochs are counted at the current length
    of the training dataloader, i.e. of the subset set for this epoch.

    Args:
        runner (Runner): The runner, whose train loop is updated.
        iters_per_epoch (Sequence[int], optional): The planned iterations of
            every epoch (:func:`epoch_iters`). Defaults to None.
    """
    loop = runner.train_loop
    if iters_per_epoch is not None:
        loop._max_iters = runner.iter + sum(iters_per_epoch[runner.epoch:])
        return
    remaining = runner.max_epochs - runner.epoch
    loop._max_iters = runner.iter + remaining * len(runner.train_dataloader)


def epoch_iters(runner, num_selected: int) -> int:
    """Iterations of one epoch over ``num_selected`` samples on this rank,
    as :class:`SubsetSampler` (``round_up``) and the training dataloader
    cut them.

    Args:
        runner (Runner): The runner, whose training dataloader is read.
        num_selected (int): Samples of the epoch, >= 1.

    Returns:
        int: The number of batches of this rank.
    """
    loader = runner.train_dataloader
    sampler = train_sampler(runner)
    world_size = getattr(sampler, 'world_size', get_dist_info()[1])
    if getattr(sampler, 'round_up', True):
        per_rank = math.ceil(num_selected / world_size)
    else:
        per_rank = len(range(get_dist_info()[0], num_selected, world_size))
    # A batch sampler of its own (multigrid) varies its batches: counted at
    # its base batch size, an estimate for progress and ETA only.
    batch_size = loader.batch_size or loader.batch_sampler.batch_size
    if loader.drop_last:
        return per_rank // batch_size
    return math.ceil(per_rank / batch_size)


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


def train_sampler(runner):
    """The training loader's sampler: ``runner.train_dataloader.sampler``,
    or the sampler inside its batch sampler where one is configured
    (PyTorch's loader then holds a plain sequential sampler of its own).

    Args:
        runner (Runner): The runner.

    Returns:
        Sampler: The sampler built from ``train_dataloader.sampler``.
    """
    loader = runner.train_dataloader
    inner = getattr(getattr(loader, 'batch_sampler', None), 'sampler', None)
    if isinstance(inner, SubsetSampler):
        return inner
    return loader.sampler


def check_subset_sampler(runner, hook_name: str) -> SubsetSampler:
    """The training loader's :class:`SubsetSampler`; a TypeError naming the
    config key otherwise.

    Args:
        runner (Runner): The runner.
        hook_name (str): The hook's name, used in the message.

    Returns:
        SubsetSampler: :func:`train_sampler`.
    """
    sampler = train_sampler(runner)
    if not isinstance(sampler, SubsetSampler):
        raise TypeError(f'{hook_name} needs train_dataloader.sampler='
                        "dict(type='SubsetSampler'), got "
                        f'{type(sampler).__name__}')
    return sampler


def read_sample_losses(runner, hook: str) -> dict:
    """The per-sample losses the distiller recorded in this iteration's
    training forward (``last_sample_losses``: ``sample_idx``, ``loss``,
    ``kd``), for the hooks that score samples by their training losses.

    Args:
        runner (Runner): The runner.
        hook (str): The hook that needs them, for the error.

    Returns:
        dict: This rank's record.
    """
    record = unwrap_model(runner).last_sample_losses
    if record is None:
        raise ValueError(
            f'{hook} needs the per-sample losses of every training batch, '
            'which the distiller records only when each data sample has its '
            "dataset index: add 'sample_idx' to the meta_keys of "
            'PackActionInputs in the training pipeline')
    return record


def gather_sample_values(sample_idx: Tensor,
                         values: Tensor) -> Tuple[Tensor, Tensor]:
    """The per-sample values of this iteration's batches on every rank, one
    per sample.

    A sample that occurs several times (a sampler pads the last positions
    of an epoch by repetition) takes its last value in rank order.

    Args:
        sample_idx (Tensor): ``(n,)`` dataset indices of this rank's batch.
        values (Tensor): ``(n,)`` their values.

    Returns:
        tuple[Tensor, Tensor]: Distinct int64 indices, ascending, and their
        float64 values.
    """
    indices, gathered = _gather_pairs(sample_idx, values)
    # Reversed, np.unique's first occurrence is the last one.
    _, first = np.unique(indices[::-1], return_index=True)
    last = len(indices) - 1 - first
    return torch.from_numpy(indices[last]), torch.from_numpy(gathered[last])


def _gather_pairs(sample_idx: Tensor,
                  loss: Tensor) -> Tuple[np.ndarray, np.ndarray]:
    """The (index, loss) pairs of every rank, concatenated in rank order."""
    sample_idx = sample_idx.detach().reshape(-1).long().cpu()
    loss = loss.detach().reshape(-1).double().cpu()
    _, world_size = get_dist_info()
    if world_size == 1:
        return sample_idx.numpy(), loss.numpy()
    # Ranks may hold batches of different sizes: pad to the largest.
    counts = all_gather(torch.tensor([len(loss)]))
    longest = int(max(int(c) for c in counts))
    pairs = torch.full((2, longest), -1., dtype=torch.float64)
    # float64 holds dataset indices exactly (below 2 ** 53).
    pairs[0, :len(loss)] = sample_idx.double()
    pairs[1, :len(loss)] = loss
    gathered: Sequence[Tensor] = all_gather(pairs)
    indices, values = [], []
    for count, part in zip(counts, gathered):
        part = part.cpu()[:, :int(count)]
        indices.append(part[0].long())
        values.append(part[1])
    return torch.cat(indices).numpy(), torch.cat(values).numpy()
