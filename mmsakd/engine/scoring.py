"""The SAKD scoring pass: every training sample through the interruption,
the teacher and the student once (docs/method.md#selection-rounds)."""
import contextlib
import functools
import math
import time
from typing import (Callable, ContextManager, Dict, List, NamedTuple, Optional,
                    Sequence, Tuple)

import torch
from mmengine.dataset import worker_init_fn
from mmengine.dist import (all_gather_object, gather_object, get_dist_info,
                           is_main_process)
from mmengine.utils import ProgressBar
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from mmsakd.datasets import skip_broken_collate
from mmsakd.models.utils import interrupt_layout
from mmsakd.selection import interrupt_batch, make_generator, project_features


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
        DataLoader: Batches collated by :func:`~mmsakd.datasets.
        skip_broken_collate` (``pseudo_collate`` when no clip is skipped).
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
        collate_fn=skip_broken_collate,
        worker_init_fn=init_fn,
        shuffle=False)


class Scores(NamedTuple):
    """The result of :func:`score_samples`.

    Args:
        indices (Tensor): ``(M,)`` int64 dataset indices of the scored
            samples, ascending.
        losses (Tensor): ``(M,)`` float32 per-sample KD losses.
        feats (Tensor): ``(M, c)`` float32 pooled teacher features
            (``(M, min(c, d_max))`` with ``d_max``).
        skipped (list[tuple[int, str]]): ``(index, reason)`` of the samples
            that could not be loaded (:class:`~mmsakd.datasets.
            SkipBrokenClips`), ascending.
    """
    indices: Tensor
    losses: Tensor
    feats: Tensor
    skipped: List[Tuple[int, str]]


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
                  indices: Optional[Sequence[int]] = None,
                  d_max: Optional[int] = None,
                  dst: Optional[int] = None,
                  autocast: Optional[Callable[[], ContextManager]] = None
                  ) -> Optional[Scores]:
    """Per-sample KD loss and pooled teacher feature of every sample (or of
    the ``indices`` the loader was built for).

    Each batch is preprocessed (``training=False``), interrupted at ``rate``
    by :func:`~mmsakd.selection.interrupt_batch` in the layout of the data
    preprocessor's ``format_shape`` (the segments of 2D recognizers are the
    time axis, :func:`~mmsakd.models.utils.interrupt_layout`) with the
    generator
    ``make_generator(seed, epoch, b, stream='scoring')`` of its global
    batch index ``b``, and
    scored by ``model.score`` (Eq. 3, docs/method.md#difficulty). With
    ``d_max``, each batch's features are projected at once
    (:func:`~mmsakd.selection.project_features` with ``seed``), so that the
    wide features are never gathered (at Kinetics-400 scale, 240,000 x 2304
    floats are 2.2 GB). The results of all ranks are gathered, to every
    rank or to ``dst`` only.

    Samples that a :class:`~mmsakd.datasets.SkipBrokenClips` dataset
    skipped (batches collated by :func:`~mmsakd.datasets.
    skip_broken_collate`) have no score and are listed in ``skipped``.

    Args:
        model: The distiller (unwrapped), with ``data_preprocessor`` and
            ``score``.
        loader (DataLoader): This rank's share of :func:`rank_batches`,
            e.g. from :func:`build_scoring_loader`.
        rate (float): The interruption rate ``beta(n)``, in ``[0, 1]``; 0
            scores clean clips.
        epoch (int): The 0-based epoch, which seeds the interruption.
        seed (int): The base seed of the interruption and the projection.
            Defaults to 0.
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
        d_max (int, optional): Project the features of each batch to at
            most ``d_max`` channels; None keeps them. Defaults to None.
        dst (int, optional): The only rank that receives the results;
            None: every rank. Defaults to None.
        autocast (callable, optional): Makes the context the model's
            forward runs in, e.g. the mixed-precision autocast of training
            (:func:`training_autocast`); None runs it as it is. Losses and
            features are returned as float32 either way. Defaults to None.

    Returns:
        Scores, optional: In ascending dataset index; None on the ranks
        other than ``dst``.
    """
    rank, world_size = get_dist_info()
    num_samples = len(loader.dataset)
    layout = None
    if rate > 0:
        layout = interrupt_layout(
            getattr(model.data_preprocessor, 'format_shape', None))
    if autocast is None:
        autocast = contextlib.nullcontext
    bar = ProgressBar(len(loader)) if progress and is_main_process() else None
    scored, losses, feats, skipped = [], [], [], []
    data_time = 0.
    ready = time.perf_counter()
    for local_idx, data_batch in enumerate(loader):
        data_time += time.perf_counter() - ready
        batch_idx = rank + local_idx * world_size  # see rank_batches
        skipped.extend(data_batch.pop('skipped', []))
        if 'inputs' in data_batch:
            with autocast():
                indices_b, loss_b, feat_b = _score_batch(
                    model, data_batch, rate, layout, epoch, batch_idx, seed,
                    eta, scope, patch_size)
            # Projected outside autocast: in float32, as without it.
            feat_b = feat_b.float()
            if d_max is not None:
                feat_b = project_features(feat_b, d_max, seed)
            scored.append(indices_b)
            losses.append(loss_b.float().cpu())
            feats.append(feat_b.cpu())
        if bar is not None:
            bar.update()
        ready = time.perf_counter()
    if timing is not None:
        timing['data_time'] = data_time
    if bar is not None:
        print('', flush=True)
    local = (_cat(scored, torch.long), _cat(losses), _cat(feats), skipped)
    if world_size == 1:
        parts = [local]
    elif dst is None:
        parts = all_gather_object(local)
    else:
        parts = gather_object(local, dst=dst)
        if rank != dst:
            return None
    # A rank that scored nothing has a 1-d empty feature tensor.
    rows = [p[2] for p in parts if len(p[0])]
    feats = torch.cat(rows) if rows else torch.zeros(0, 0)
    all_idx = torch.cat([p[0] for p in parts])
    skipped = sorted((int(i), r) for p in parts for i, r in p[3])
    counts = torch.bincount(all_idx, minlength=num_samples)
    for index, _ in skipped:
        counts[index] += 1
    expected = torch.ones(num_samples, dtype=torch.long)
    if indices is not None:
        expected = torch.zeros(num_samples, dtype=torch.long)
        expected[torch.as_tensor(list(indices), dtype=torch.long)] = 1
    if not torch.equal(counts, expected):
        raise RuntimeError('the scoring pass must score every sample it is '
                           'given exactly once; counts per sample were '
                           f'{counts.unique().tolist()}')
    order = torch.argsort(all_idx)
    return Scores(all_idx[order],
                  torch.cat([p[1] for p in parts])[order], feats[order],
                  skipped)


def _score_batch(model, data_batch: dict, rate: float, layout: Optional[str],
                 epoch: int, batch_idx: int, seed: int, eta: float, scope: str,
                 patch_size: int) -> Tuple[Tensor, Tensor, Tensor]:
    """Score one batch of :func:`score_samples`: its dataset indices, KD
    losses and teacher features."""
    data = model.data_preprocessor(data_batch, training=False)
    inputs = data['inputs']
    if rate > 0:
        inputs = interrupt_batch(
            inputs,
            rate,
            eta=eta,
            scope=scope,
            patch_size=patch_size,
            layout=layout,
            generator=make_generator(seed, epoch, batch_idx, stream='scoring'))
    scores = model.score(inputs, data['data_samples'])
    indices = torch.tensor([s.sample_idx for s in data['data_samples']])
    return indices, scores['kd_loss'], scores['teacher_feat']


def training_autocast(optim_wrapper) -> Optional[Callable[[], ContextManager]]:
    """The autocast that training runs its forward in, for the scoring
    pass: MMEngine's ``autocast`` with the dtype of an
    :class:`~mmengine.optim.AmpOptimWrapper` (``--amp``), else None.

    Args:
        optim_wrapper: The runner's optimizer wrapper.

    Returns:
        callable, optional: Makes the autocast context; None without AMP.
    """
    from mmengine.optim import AmpOptimWrapper
    from mmengine.runner.amp import autocast
    if not isinstance(optim_wrapper, AmpOptimWrapper):
        return None
    return functools.partial(autocast, dtype=optim_wrapper.cast_dtype)


def _cat(parts: List[Tensor], dtype=torch.float32) -> Tensor:
    """``torch.cat``, or an empty tensor when nothing was scored."""
    return torch.cat(parts) if parts else torch.zeros(0, dtype=dtype)
