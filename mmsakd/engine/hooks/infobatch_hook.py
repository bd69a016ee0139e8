import math
import os.path as osp
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.logging import print_log
from torch import Tensor

from mmsakd.datasets import skipped_mask
from mmsakd.registry import HOOKS
from mmsakd.selection import as_fraction, check_range
from mmsakd.utils import append_json_line
from .subset_hook import SubsetHook
from .utils import (check_by_epoch_schedulers, check_subset_sampler,
                    fix_max_iters, gather_sample_values, read_sample_losses,
                    resolve_seed, train_sampler, unwrap_model)


@HOOKS.register_module()
class InfoBatchHook(SubsetHook):
    """InfoBatch (Qin et al., ICLR 2024): per-epoch random pruning of
    low-loss samples with an unbiased re-weighting, a baseline of the
    benchmark (docs/method.md#baselines-for-the-benchmark).

    The score of a sample is its latest per-sample training loss, the Eq. 9
    total ``(1 - alpha_j) * CE_j + alpha_j * KD_j`` before the loss weight,
    which the distiller records on every training iteration
    (``SAKDDistiller.last_sample_losses``); it is gathered from all ranks
    after each iteration, so every rank holds the same scores. No extra
    forward pass is run. A sample that has not been trained on yet is
    *unseen* and has no score.

    Before each epoch ``e``:

    - while ``e < delta * max_epochs`` (pruning phase): the *well-learned*
      samples are the seen samples whose score is below the mean score of
      the seen samples; ``int((1 - prune_ratio) * n_well)`` of them, drawn
      at random without replacement, are kept with the loss weight
      ``1 / (1 - prune_ratio)``, the others are skipped for the epoch. All
      other samples (higher loss, unseen) are kept with weight 1, so the
      first epoch uses every sample;
    - afterwards (annealing phase, from epoch ``ceil(delta * max_epochs)``):
      every sample, weight 1.

    The subset goes to the :class:`SubsetSampler`, the weights to the
    distiller's ``set_sample_weight``. The draw comes from a generator
    seeded by ``(seed, epoch)``, so a resumed run draws the same. Scores,
    the seen mask, the current subset and weights are saved in checkpoints
    and restored on resume. Each epoch is logged and appended as one JSON
    line to ``<work_dir>/<log_file>`` (``epoch``, ``num_samples``, ``kept``,
    ``pruned``, ``weight``, ``mean_score``, ``phase`` and the sorted
    ``pruned_indices``, whose complement is the epoch's subset).

    Args:
        prune_ratio (float): Fraction of the well-learned samples skipped in
            each pruning epoch, in [0, 1). Defaults to 0.5.
        delta (float): Fraction of the epochs with pruning, in (0, 1].
            Defaults to 0.875.
        seed (int, optional): Seed of the draws (:class:`SubsetHook`).
            Defaults to None.
        log_file (str): The per-epoch log. Defaults to
            'infobatch_epochs.jsonl'.
    """

    def __init__(self,
                 prune_ratio: float = 0.5,
                 delta: float = 0.875,
                 seed: Optional[int] = None,
                 log_file: str = 'infobatch_epochs.jsonl') -> None:
        check_range('prune_ratio', prune_ratio, 0, 1, high_open=True)
        check_range('delta', delta, 0, 1, low_open=True)
        self.prune_ratio = float(prune_ratio)
        self.delta = float(delta)
        super().__init__(seed, log_file)

        # Per-sample state, created in before_train once N is known.
        self.scores: Optional[Tensor] = None
        self.seen: Optional[Tensor] = None
        # None: the whole training set, every weight 1.
        self.subset: Optional[List[int]] = None
        self.weights: Optional[Tensor] = None

    @property
    def upweight(self) -> float:
        """float: The loss weight ``1 / (1 - prune_ratio)`` of the kept
        well-learned samples."""
        return 1. / (1. - self.prune_ratio)

    # ------------------------------------------------------------------ run
    def before_run(self, runner) -> None:
        self.seed = resolve_seed(runner, self.seed)
        check_by_epoch_schedulers(runner, 'InfoBatchHook')

    def before_train(self, runner) -> None:
        check_subset_sampler(runner, 'InfoBatchHook')
        model = unwrap_model(runner)
        if not callable(getattr(model, 'set_sample_weight', None)) or \
                not hasattr(model, 'last_sample_losses'):
            raise TypeError(
                'InfoBatchHook needs a distiller model with '
                '`set_sample_weight` and `last_sample_losses` (e.g. '
                f"type='SAKDDistiller'), got {type(model).__name__}")
        num_samples = len(runner.train_dataloader.dataset)
        if self.scores is None:
            self.scores = torch.zeros(num_samples)
            self.seen = torch.zeros(num_samples, dtype=torch.bool)
        elif len(self.scores) != num_samples:
            raise ValueError(
                'the checkpoint holds InfoBatch state for '
                f'{len(self.scores)} samples but the training set has '
                f'{num_samples}')
        # A resumed run continues with the restored subset and weights.
        self._hand_over(runner)

    def before_train_epoch(self, runner) -> None:
        epoch = runner.epoch
        self.subset, self.weights, info = self.plan(
            epoch, runner.max_epochs,
            skipped_mask(runner.train_dataloader.dataset))
        self._hand_over(runner)
        self._log_epoch(runner, epoch, info)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        record = read_sample_losses(runner, 'InfoBatchHook')
        self.update_scores(record['sample_idx'], record['loss'])

    # ---------------------------------------------------------- checkpoint
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['infobatch'] = dict(
            scores=self.scores,
            seen=self.seen,
            subset=self.subset,
            weights=self.weights,
            seed=self.seed)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('infobatch')
        if state is None or not runner._resume:
            return
        # The state lives on the CPU. mmsakd's local loader already maps to
        # it, but a remote scheme or a caller's map_location may not.
        self.scores = state['scores'].cpu()
        self.seen = state['seen'].cpu()
        self.subset = state['subset']
        weights = state['weights']
        self.weights = None if weights is None else weights.cpu()
        self.seed = int(state['seed'])

    # ------------------------------------------------------------- scoring
    def update_scores(self, sample_idx: Tensor, loss: Tensor) -> None:
        """Store the latest loss of the batch's samples, gathered from all
        ranks.

        A sample that occurs several times (the sampler pads the last
        positions of an epoch by repetition) takes its last value in rank
        order.

        Args:
            sample_idx (Tensor): ``(n,)`` dataset indices of this rank's
                batch.
            loss (Tensor): ``(n,)`` their per-sample losses.
        """
        indices, values = gather_sample_values(sample_idx, loss)
        self.scores[indices] = values.float()
        self.seen[indices] = True

    def plan(self,
             epoch: int,
             max_epochs: int,
             skipped: Optional[Tensor] = None) -> tuple:
        """The subset and loss weights of an epoch from the current scores.

        Args:
            epoch (int): The 0-based epoch.
            max_epochs (int): The number of epochs of the run.
            skipped (Tensor, optional): ``(N,)`` bool, unreadable clips
                (:class:`~mmsakd.datasets.SkipBrokenClips`), left out of
                the subset; they are never trained, so never seen, and do
                not change the draw. Defaults to None.

        Returns:
            tuple: ``subset`` (sorted dataset indices, or None for the whole
            training set), ``weights`` (``(N,)`` float32, or None for weight
            1 everywhere) and a dict with ``phase`` (``'prune'`` or
            ``'anneal'``), ``kept``, ``pruned``, ``skipped``, ``mean_score``
            (None while no sample is seen) and ``pruned_indices`` (sorted).
        """
        keep, weights, info = self._plan(epoch, max_epochs)
        info['skipped'] = 0
        if skipped is not None and bool(skipped.any()):
            skipped = skipped.numpy()
            info['skipped'] = int(skipped.sum())
            keep = ~skipped if keep is None else keep & ~skipped
        if keep is None:
            return None, None, info
        subset = np.flatnonzero(keep).tolist()
        info['kept'] = len(subset)
        return subset, weights, info

    def _plan(self, epoch: int, max_epochs: int) -> tuple:
        """:meth:`plan` without skipped clips: the mask of kept samples
        (None: all), the weights and the info."""
        num_samples = len(self.scores)
        seen = self.seen.numpy()
        mean_score = None
        if seen.any():
            # float64, so that every rank and a resumed run get one value.
            mean_score = float(self.scores.numpy()[seen].astype(
                np.float64).mean())
        info = dict(
            phase='anneal',
            kept=num_samples,
            pruned=0,
            mean_score=mean_score,
            pruned_indices=[])
        # Exact for delta as written: 0.14 of 50 epochs prunes in 0 to 6.
        if epoch >= as_fraction(self.delta) * max_epochs:
            return None, None, info
        info['phase'] = 'prune'
        if mean_score is None:
            return None, None, info
        scores = self.scores.numpy().astype(np.float64)
        well_learned = np.flatnonzero(seen & (scores < mean_score))
        # Exact for prune_ratio as written: (1 - 0.8) * 10 is 2, where the
        # float product is 1.9999999999999996.
        num_kept = math.floor(
            (1 - as_fraction(self.prune_ratio)) * len(well_learned))
        if num_kept == len(well_learned):
            return None, None, info
        generator = np.random.default_rng([self.seed, epoch])
        kept = generator.choice(well_learned, num_kept, replace=False)
        keep = np.ones(num_samples, dtype=bool)
        keep[well_learned] = False
        keep[kept] = True
        weights = torch.ones(num_samples)
        weights[torch.from_numpy(kept).long()] = self.upweight
        info.update(
            pruned=int((~keep).sum()),
            pruned_indices=np.flatnonzero(~keep).tolist())
        return keep, weights, info

    def _hand_over(self, runner) -> None:
        """The subset to the sampler, the weights to the distiller."""
        train_sampler(runner).set_subset(self.subset)
        weights = None if self.weights is None else self.weights.clone()
        unwrap_model(runner).set_sample_weight(weights)
        fix_max_iters(runner)

    def _log_epoch(self, runner, epoch: int, info: Dict) -> None:
        num_samples = len(self.scores)
        weight = self.upweight if info['pruned'] else 1.
        record = dict(
            epoch=epoch,
            num_samples=num_samples,
            kept=info['kept'],
            pruned=info['pruned'],
            weight=weight,
            mean_score=info['mean_score'],
            phase=info['phase'],
            skipped=info['skipped'],
            pruned_indices=info['pruned_indices'])
        skipped = f', {info["skipped"]} unreadable clips skipped' \
            if info['skipped'] else ''
        mean = '-' if info['mean_score'] is None else \
            f'{info["mean_score"]:.4f}'
        print_log(
            f'InfoBatch epoch {epoch} ({info["phase"]}): kept '
            f'{info["kept"]}/{num_samples}, pruned {info["pruned"]}, weight '
            f'{weight:.3f} on the kept low-loss samples, mean score {mean}'
            f'{skipped}',
            logger='current')
        runner.message_hub.update_scalar('train/infobatch_kept', info['kept'])
        if is_main_process():
            append_json_line(osp.join(runner.work_dir, self.log_file), record)
