"""The SAKD scoring pass: every training sample through the interruption,
the teacher and the student once (docs/method.md#selection-rounds)."""
import functools
import math
import time
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.dataset import pseudo_collate, worker_init_fn
from mmengine.dist import all_gather_object, get_dist_info, is_main_process
from mmengine.utils import ProgressBar
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from mmsakd.selection import interrupt_batch, make_generator


def rank_batches(num_samples: int, batch_size: int, rank: int,
                 world_size: int) -> List[int]:
    """Dataset indices that ``rank`` scores, batch by batch.

    The dataset is cut into global batches ``[b * B, (b + 1) * B)``; rank
    ``r`` takes batches ``r, r + w, ...``. Every sample is scored exactly once
    per round, and batch ``b`` holds the same samples (so gets the same
    interruption) whatever the number of ranks.

    Args:
        num_samples (int): Samples in the dataset.
        batch_size (int): The scoring batch size ``B``.
        rank (int): This process's rank.
        world_size (int): The number of processes ``w``.

    Returns:
        list[int]: The indices, in scoring order.
    """
    num_batches = math.ceil(num_samples / batch_size)
    indices: List[int] = []
    for b in range(rank, num_batches, world_size):
        indices.extend(
            range(b * batch_size, min((b + 1) * batch_size, num_samples)))
    return indices


def build_scoring_loader(dataset: Dataset,
                         batch_size: int,
                         num_workers: int = 0,
                         seed: int = 0,
                         indices: Optional[Sequence[int]] = None
                         ) -> DataLoader:
    """A loader of this rank's share of :func:`rank_batches`, in order.

    With ``indices`` (a candidate pool, docs/method.md#candidate-pool), the
    global batches are cut from ``indices`` instead of the whole dataset.

    Built by hand rather than with ``Runner.build_dataloader`` because the
    share must be whole global batches, which no registered sampler
    provides.

    Args:
        dataset (Dataset): The samples; each item is a dict of ``inputs``
            and ``data_samples`` (with ``sample_idx``), as a packed
            MMAction2 pipeline gives.
        batch_size (int): The scoring batch size, >= 1.
        num_workers (int): Dataloader workers. Defaults to 0.
        seed (int): Seed of the workers' random state. Defaults to 0.
        indices (Sequence[int], optional): The dataset indices to score, in
            order; None scores every sample. Defaults to None.

    Returns:
        DataLoader: Batches collated by ``pseudo_collate``.
    """
    rank, world_size = get_dist_info()
    if indices is None:
        sampler = rank_batches(len(dataset), batch_size, rank, world_size)
    else:
        indices = [int(i) for i in indices]
        sampler = [
            indices[p]
            for p in rank_batches(len(indices), batch_size, rank, world_size)
        ]
    init_fn = None
    if num_workers > 0:
        init_fn = functools.partial(
            worker_init_fn, num_workers=num_workers, rank=rank, seed=seed)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=sampler,
        num_workers=num_workers,
        collate_fn=pseudo_collate,
        worker_init_fn=init_fn,
        shuffle=False)


@torch.no_grad()
def score_samples(model,
                  loader: DataLoader,
                  rate: float,
                  epoch: int,
                  seed: int = 0,
                  eta: float = 0.5,
                  scope: str = 'batch',
                  patch_size: int = 4,
                  progress: bool = True,
                  timing: Optional[Dict[str, float]] = None,
                  indices: Optional[Sequence[int]] = None
                  ) -> Tuple[Tensor, Tensor]:
    """Per-sample KD loss and pooled teacher feature of every sample (or of
    the ``indices`` the loader was built for).

    Each batch is preprocessed (``training=False``), interrupted at ``rate``
    by :func:`~mmsakd.selection.interrupt_batch` with the generator
    ``make_generator(seed, epoch, b)`` of its global batch index ``b``, and
    scored by ``model.score`` (Eq. 3, docs/method.md#difficulty). The
    results of all ranks are gathered.

    Args:
        model: The distiller (unwrapped), with ``data_preprocessor`` and
            ``score``.
        loader (DataLoader): This rank's share of :func:`rank_batches`,
            e.g. from :func:`build_scoring_loader`.
        rate (float): The interruption rate ``beta(n)``, in ``[0, 1]``; 0
            scores clean clips.
        epoch (int): The 0-based epoch, which seeds the interruption.
        seed (int): The base seed of the interruption. Defaults to 0.
        eta (float): The dropout/shuffle threshold, in ``(0, 1]``.
            Defaults to 0.5.
        scope (str): The shuffle scope, ``'batch'`` or ``'clip'``.
            Defaults to 'batch'.
        patch_size (int): Patch side for inputs without time axis.
            Defaults to 4.
        progress (bool): Show a progress bar on the main process.
            Defaults to True.
        timing (dict, optional): If given, ``timing['data_time']`` is set to
            the seconds this rank waited for the loader's batches (decoding
            and the pipeline, as far as workers did not hide them).
            Defaults to None.
        indices (Sequence[int], optional): The samples the loader scores
            (:func:`build_scoring_loader`'s ``indices``); None: all.
            Defaults to None.

    Returns:
        tuple[Tensor, Tensor]: ``(M,)`` float32 losses and ``(M, c)``
        float32 features on the CPU, in ascending dataset index (``M = N``
        without ``indices``).
    """
    rank, world_size = get_dist_info()
    num_samples = len(loader.dataset)
    bar = ProgressBar(len(loader)) if progress and is_main_process() else None
    scored, losses, feats = [], [], []
    data_time = 0.
    ready = time.perf_counter()
    for local_idx, data_batch in enumerate(loader):
        data_time += time.perf_counter() - ready
        batch_idx = rank + local_idx * world_size  # see rank_batches
        data = model.data_preprocessor(data_batch, training=False)
        inputs = data['inputs']
        if rate > 0:
            inputs = interrupt_batch(
                inputs,
                rate,
                eta=eta,
                scope=scope,
                patch_size=patch_size,
                generator=make_generator(seed, epoch, batch_idx))
        scores = model.score(inputs, data['data_samples'])
        scored.append(
            torch.tensor([s.sample_idx for s in data['data_samples']]))
        losses.append(scores['kd_loss'].float().cpu())
        feats.append(scores['teacher_feat'].float().cpu())
        if bar is not None:
            bar.update()
        ready = time.perf_counter()
    if timing is not None:
        timing['data_time'] = data_time
    if bar is not None:
        print('', flush=True)
    local = (torch.cat(scored), torch.cat(losses), torch.cat(feats))
    parts = all_gather_object(local) if world_size > 1 else [local]
    all_idx = torch.cat([p[0] for p in parts])
    counts = torch.bincount(all_idx, minlength=num_samples)
    expected = torch.ones(num_samples, dtype=torch.long)
    if indices is not None:
        expected = torch.zeros(num_samples, dtype=torch.long)
        expected[torch.as_tensor(list(indices), dtype=torch.long)] = 1
    if not torch.equal(counts, expected):
        raise RuntimeError('the scoring pass must score every sample it is '
                           'given exactly once; counts per sample were '
                           f'{counts.unique().tolist()}')
    order = torch.argsort(all_idx)
    return (torch.cat([p[1] for p in parts])[order],
            torch.cat([p[2] for p in parts])[order])
