import copy
import dataclasses
import math
import os.path as osp
import time
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmengine.dist import broadcast_object_list, get_dist_info, is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from torch import Tensor
from torch.utils.data import DataLoader

from mmsakd.datasets import SkipBrokenClips, skipped_mask
from mmsakd.engine.scoring import (Scores, build_scoring_loader, score_samples,
                                   training_autocast)
from mmsakd.registry import DATASETS, HOOKS
from mmsakd.selection import (RATIO_SHAPES, RoundSettings, as_fraction,
                              candidate_pool, check_bool, check_choice,
                              check_file_name, check_int, check_range,
                              interruption_rate, make_generator, pool_round,
                              round_ratio, selection_round, subset_size)
from mmsakd.utils import append_json_line
from .utils import (check_subset_sampler, epoch_iters, fix_max_iters,
                    gather_sample_values, plan_iter_schedulers, resolve_seed,
                    unwrap_model)


@HOOKS.register_module()
class SAKDHook(Hook):
    """Sample-level Adaptive Knowledge Distillation (SAKD).

    At the start of every epoch ``n`` with ``n % interval == 0`` the hook runs
    one selection round, following the method's outline
    (docs/method.md#selection-rounds):

    1. **score** every training sample: teacher and student see the clip
       under the dropout-shuffle interruption of rate ``beta(n)`` (Eq. 4,
       docs/method.md#interruption-rate), giving its per-sample
       distillation loss and pooled teacher feature
       (:func:`mmsakd.engine.score_samples`);
    2. **update** the distillation strength ``alpha`` (Eq. 5-6,
       docs/method.md#distillation-strength) and the fused teacher features
       (Eq. 7, docs/method.md#fused-teacher-features);
    3. **select** ``ceil(ratio * N)`` easy and diverse samples by greedy DPP
       (Eq. 8, docs/method.md#selection), steps 2-3 being
       :func:`mmsakd.selection.selection_round`;
    4. **hand over** the subset to the :class:`SubsetSampler` and ``alpha``
       to the distiller, whose loss is Eq. 9
       (docs/method.md#training-loss).

    Between rounds the subset and ``alpha`` are kept.

    Beyond the paper (docs/method.md#beyond-the-paper), all off by default:
    ``warmup_epochs`` full-data epochs before the first round and
    ``anneal_epochs`` full-data epochs at the end (with the last strengths),
    a ratio schedule from ``ratio`` in the first round to ``ratio_end`` in
    the last (docs/method.md#ratio-schedule), a floor ``alpha_min`` on the
    strength handed to the distiller, other criteria and diversity terms,
    and cheaper rounds: a candidate pool of ``pool_factor * k`` scored
    samples (docs/method.md#candidate-pool) and the reuse of the training
    losses of the clips trained since the last round
    (``reuse_train_losses``, docs/method.md#reused-training-losses).

    Schedulers: by-epoch schedulers step once per epoch whatever its length.
    Schedulers with ``convert_to_iter_based=True`` are rebuilt over the
    planned iterations of every epoch (:meth:`planned_iters`), so that
    they follow the optimizer steps actually taken
    (docs/method.md#learning-rate-per-step).

    Distributed: each rank scores a disjoint share of global scoring batches
    (:func:`mmsakd.engine.rank_batches`) and projects their features to
    ``d_max`` channels; the results are gathered to rank 0, which selects
    and broadcasts the subset and the strengths, so every rank holds the
    same ``omega``, ``alpha`` and subset. The fused features ``feat``, which
    only selection reads, stay on rank 0 (docs/method.md#memory). The
    per-sample state, the subset and the round counter are saved in
    checkpoints and restored on resume. Each round is logged and appended
    as one JSON line to ``<work_dir>/sakd_rounds.jsonl``.

    Unreadable clips (:class:`~mmsakd.datasets.SkipBrokenClips` with
    :class:`BrokenClipsHook`) are no candidates: they are left out of the
    scoring pass and of the subset, keep their state, and are counted in
    the round's ``skipped``.

    Args:
        ratio (float): Fraction ``r`` of the training set selected, in
            (0, 1]; with ``ratio_end``, that of the first round.
            Defaults to 0.1.
        interval (int): Epochs between selection rounds, >= 1 (1: "Ours",
            5: "Ours*"). Defaults to 1.
        lam (float): Momentum ``lam`` of Eq. 6-7, in [0, 1). Defaults to 0.5.
        eta (float): Dropout/shuffle threshold of the interruption, in
            (0, 1]. Defaults to 0.5.
        gamma (float): Easiness/diversity trade-off of Eq. 8, in [0, 1].
            Defaults to 0.5.
        theta (float): Power of the interruption schedule (Eq. 4), > 0.
            Defaults to 0.9.
        norm (str): Easiness normalization, ``'max'`` or ``'rank'``.
            Defaults to 'max'.
        alpha_init (float): Initial strength, in [0, 1]. Defaults to 0.
        d_max (int): Largest dimension of the fused features, >= 1.
            Defaults to 512.
        sigma (float): Ridge of the DPP kernel, > 0. Defaults to 1e-3.
        partition (str): Selection blocks, ``'class'`` or ``'random'``.
            Defaults to 'class'.
        block_size (int): Largest selection block, >= 1. Defaults to 4096.
        scope (str): Shuffle scope, ``'batch'`` or ``'clip'``.
            Defaults to 'batch'.
        patch_size (int): Patch side for inputs without time axis, >= 1.
            Defaults to 4.
        score_batch_size (int): Batch size of the scoring pass, >= 1.
            Defaults to 64.
        score_num_workers (int, optional): Workers of the scoring loader;
            None takes the training loader's. Defaults to None.
        score_pipeline (list, optional): Pipeline of the scoring pass; None
            takes the validation dataloader's (no random augmentation).
            Defaults to None.
        warmup_epochs (int): Epochs at the start that train on every sample
            with the distiller's own ``alpha``; the first round runs after
            them, >= 0. Defaults to 0.
        anneal_epochs (int): Epochs at the end that train on every sample
            with the last round's strengths, no round running in them, >= 0.
            Defaults to 0.
        ratio_end (float, optional): Ratio of the last round, in (0, 1];
            the rounds between follow ``ratio_shape``. None keeps ``ratio``
            in every round. Defaults to None.
        ratio_shape (str): ``'linear'`` or ``'cosine'``, the path from
            ``ratio`` to ``ratio_end`` (see
            :data:`mmsakd.selection.RATIO_SHAPES`). Defaults to 'linear'.
        alpha_min (float): Floor of the strength handed to the distiller,
            ``max(alpha_j, alpha_min)``, in [0, 1]; the state and the logs
            keep Eq. 6's value. Defaults to 0.
        selector (str): ``'dpp'`` (the method: easiness criterion with
            greedy DPP) or ``'random'`` (uniform random subset of the same
            size, an ablation; ``alpha`` is still updated); see
            :data:`mmsakd.selection.SELECTORS`. Defaults to 'dpp'.
        criterion (str, optional): A name in
            :data:`mmsakd.selection.CRITERIA`, replacing the selector's.
            Defaults to None.
        diversity (str, optional): ``'dpp'`` or ``'none'``, replacing the
            selector's. Defaults to None.
        pool_factor (float, optional): Score only ``ceil(pool_factor * k)``
            samples per round (at least enough for ``k`` candidates), the
            least recently scored and a random share; the subset is selected
            among them (and the reused ones), the others keep their state.
            None, without ``reuse_train_losses``, scores every sample (the
            method). > 0. Defaults to None.
        pool_random (float): Share of the scored pool drawn at random, in
            [0, 1]. Defaults to 0.5.
        reuse_train_losses (bool): Take the KD loss that the training
            forward computed for each clip trained since the last round
            (clean clip, train-mode student) as its score, instead of
            scoring it again; it stays a candidate with its last fused
            features. Defaults to False.
        seed (int, optional): Seed of interruption, projection and selection;
            None takes ``randomness.seed`` of the config (0 if unset).
            Defaults to None.
        log_file (str): File name, in the work dir, of the per-round JSON
            lines. Defaults to 'sakd_rounds.jsonl'.
    """

    # Above IterTimerHook (NORMAL), which starts timing the first iteration
    # in its before_train_epoch: the scoring pass is not data loading time.
    priority = 'ABOVE_NORMAL'

    def __init__(self,
                 ratio: float = 0.1,
                 interval: int = 1,
                 lam: float = 0.5,
                 eta: float = 0.5,
                 gamma: float = 0.5,
                 theta: float = 0.9,
                 norm: str = 'max',
                 alpha_init: float = 0.,
                 d_max: int = 512,
                 sigma: float = 1e-3,
                 partition: str = 'class',
                 block_size: int = 4096,
                 scope: str = 'batch',
                 patch_size: int = 4,
                 score_batch_size: int = 64,
                 score_num_workers: Optional[int] = None,
                 score_pipeline: Optional[Sequence[dict]] = None,
                 warmup_epochs: int = 0,
                 anneal_epochs: int = 0,
                 ratio_end: Optional[float] = None,
                 ratio_shape: str = 'linear',
                 alpha_min: float = 0.,
                 selector: str = 'dpp',
                 criterion: Optional[str] = None,
                 diversity: Optional[str] = None,
                 pool_factor: Optional[float] = None,
                 pool_random: float = 0.5,
                 reuse_train_losses: bool = False,
                 seed: Optional[int] = None,
                 log_file: str = 'sakd_rounds.jsonl') -> None:
        if not isinstance(interval, int) or isinstance(interval, bool) \
                or interval < 1:
            raise ValueError(
                f'interval must be a positive integer, got {interval!r}')
        check_range('eta', eta, 0, 1, low_open=True)
        check_range('alpha_init', alpha_init, 0, 1)
        if not theta > 0:
            raise ValueError(f'theta must be > 0, got {theta}')
        check_choice('scope', scope, ('batch', 'clip'))
        check_int('patch_size', patch_size, 1)
        check_int('score_batch_size', score_batch_size, 1)
        check_int('warmup_epochs', warmup_epochs, 0)
        check_int('anneal_epochs', anneal_epochs, 0)
        check_range('alpha_min', alpha_min, 0, 1)
        if ratio_end is not None:
            check_range('ratio_end', ratio_end, 0, 1, low_open=True)
        check_choice('ratio_shape', ratio_shape, tuple(RATIO_SHAPES))
        if pool_factor is not None and not (isinstance(pool_factor,
                                                       (int, float)) and
                                            not isinstance(pool_factor, bool)
                                            and pool_factor > 0):
            raise ValueError(f'pool_factor must be a number > 0 or None, got '
                             f'{pool_factor!r}')
        check_range('pool_random', pool_random, 0, 1)
        check_bool('reuse_train_losses', reuse_train_losses)
        if score_pipeline is not None and not isinstance(
                score_pipeline, (list, tuple)):
            raise TypeError('score_pipeline must be a list of transform '
                            f'configs or None, got {score_pipeline!r}')
        check_file_name('log_file', log_file)
        if score_num_workers is not None:
            check_int('score_num_workers', score_num_workers, 0)
        if seed is not None:
            check_int('seed', seed, 0)
        # Checks ratio, lam, gamma, norm, d_max, sigma, partition,
        # block_size and selector; the seed is set at each round.
        self.settings = RoundSettings.from_selector(
            selector,
            ratio=ratio,
            lam=lam,
            gamma=gamma,
            norm=norm,
            d_max=d_max,
            sigma=sigma,
            partition=partition,
            block_size=block_size)
        overrides = dict()
        if criterion is not None:
            overrides['criterion'] = criterion
        if diversity is not None:
            overrides['diversity'] = diversity
        if overrides:
            # Checked by RoundSettings.
            self.settings = dataclasses.replace(self.settings, **overrides)
        self.interval = interval
        self.eta = float(eta)
        self.theta = float(theta)
        self.alpha_init = float(alpha_init)
        self.scope = scope
        self.patch_size = patch_size
        self.score_batch_size = score_batch_size
        self.score_num_workers = score_num_workers
        self.score_pipeline = score_pipeline
        self.warmup_epochs = warmup_epochs
        self.anneal_epochs = anneal_epochs
        self.ratio_end = None if ratio_end is None else float(ratio_end)
        self.ratio_shape = ratio_shape
        self.alpha_min = float(alpha_min)
        self.pool_factor = pool_factor
        self.pool_random = float(pool_random)
        self.reuse_train_losses = reuse_train_losses
        self.selector = selector
        self.seed = seed
        self.log_file = log_file

        # Per-sample state, created in before_train once N is known.
        self.omega: Optional[Tensor] = None
        self.alpha: Optional[Tensor] = None
        self.feat: Optional[Tensor] = None
        self.subset: Optional[List[int]] = None
        self.rounds = 0
        # State of the pool path: the round each sample was last scored in
        # (-1: never), which samples have fused features, and the training
        # KD losses of the clips trained since the last round.
        self.last_scored: Optional[Tensor] = None
        self.known: Optional[Tensor] = None
        self.train_loss: Optional[Tensor] = None
        self.trained: Optional[Tensor] = None
        self._labels: Optional[Tensor] = None
        self._score_loader: Optional[DataLoader] = None
        self._plan: Optional[List[int]] = None

    # ------------------------------------------------------------------ run
    def before_run(self, runner) -> None:
        self.seed = resolve_seed(runner, self.seed)
        if self.warmup_epochs + self.anneal_epochs >= runner.max_epochs:
            raise ValueError(
                f'warmup_epochs ({self.warmup_epochs}) + anneal_epochs '
                f'({self.anneal_epochs}) must be below the '
                f'{runner.max_epochs} training epochs, leaving at least '
                'one epoch for selection rounds')
        # Before the resume, which restores the rebuilt schedulers' state.
        self._plan = self.planned_iters(runner)
        plan_iter_schedulers(runner, self._plan, 'SAKDHook')

    def planned_iters(self, runner) -> List[int]:
        """The iterations of every epoch on this rank: the whole training
        set in the warm-up and annealing epochs, the ``k`` samples of the
        epoch's round (:meth:`round_ratio`) in the others.

        Args:
            runner (Runner): The runner.

        Returns:
            list[int]: One count per epoch.
        """
        num = len(runner.train_dataloader.dataset)
        full = epoch_iters(runner, num)
        last = runner.max_epochs - self.anneal_epochs
        plan = []
        for epoch in range(runner.max_epochs):
            if epoch < self.warmup_epochs or epoch >= last:
                plan.append(full)
            else:
                ratio = self.round_ratio(epoch, runner.max_epochs)
                plan.append(epoch_iters(runner, subset_size(ratio, num)))
        return plan

    def round_ratio(self, epoch: int, max_epochs: int) -> float:
        """The ratio of the round that sets the subset of ``epoch``, an
        epoch between the warm-up and the annealing.

        Args:
            epoch (int): The 0-based epoch.
            max_epochs (int): The training epochs.

        Returns:
            float: ``ratio``, or the schedule's value for that round when
            ``ratio_end`` is set.
        """
        if self.ratio_end is None:
            return self.settings.ratio
        span = max_epochs - self.warmup_epochs - self.anneal_epochs
        return round_ratio((epoch - self.warmup_epochs) // self.interval,
                           math.ceil(span / self.interval),
                           self.settings.ratio, self.ratio_end,
                           self.ratio_shape)

    def _round_settings(self, runner) -> RoundSettings:
        """The settings of this epoch's round: its ratio and the seed."""
        return dataclasses.replace(
            self.settings,
            seed=self.seed,
            ratio=self.round_ratio(runner.epoch, runner.max_epochs))

    def before_train(self, runner) -> None:
        sampler = check_subset_sampler(runner, 'SAKDHook')
        model = unwrap_model(runner)
        for method in ('score', 'set_sample_alpha'):
            if not callable(getattr(model, method, None)):
                raise TypeError(
                    f'SAKDHook needs a distiller model with `{method}` (e.g. '
                    f"type='SAKDDistiller'), got {type(model).__name__}")
        dataset = runner.train_dataloader.dataset
        num_samples = len(dataset)
        if self.omega is None:
            self.omega = torch.zeros(num_samples, dtype=torch.long)
            self.alpha = torch.full((num_samples, ), self.alpha_init)
            self.last_scored = torch.full((num_samples, ),
                                          -1,
                                          dtype=torch.long)
            self.known = torch.zeros(num_samples, dtype=torch.bool)
            self.train_loss = torch.zeros(num_samples)
            self.trained = torch.zeros(num_samples, dtype=torch.bool)
        elif len(self.omega) != num_samples:
            raise ValueError(
                f'the checkpoint holds SAKD state for {len(self.omega)} '
                f'samples but the training set has {num_samples}')
        self._labels = torch.tensor([
            int(dataset.get_data_info(i)['label']) for i in range(num_samples)
        ])
        # A resumed run continues with the restored subset and strengths.
        if self.subset is not None:
            sampler.set_subset(self.subset)
        if self.rounds > 0:
            model.set_sample_alpha(self._handed_alpha())
        fix_max_iters(runner, self._plan)

    def before_train_epoch(self, runner) -> None:
        epoch = runner.epoch
        if epoch >= runner.max_epochs - self.anneal_epochs:
            # Annealing: every sample, the strengths of the last round.
            runner.train_dataloader.sampler.set_subset(None)
        elif epoch >= self.warmup_epochs and \
                (epoch - self.warmup_epochs) % self.interval == 0:
            self._selection_round(runner)
        fix_max_iters(runner, self._plan)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        if not self.reuse_train_losses:
            return
        record = unwrap_model(runner).last_sample_losses
        if record is None:
            raise ValueError(
                'SAKDHook(reuse_train_losses=True) needs the per-sample '
                'losses of every training batch, which the distiller '
                "records only when each data sample has its dataset index: "
                "add 'sample_idx' to the meta_keys of PackActionInputs in "
                'the training pipeline')
        indices, kd = gather_sample_values(record['sample_idx'], record['kd'])
        self.train_loss[indices] = kd.float()
        self.trained[indices] = True

    # ---------------------------------------------------------- checkpoint
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['sakd'] = dict(
            omega=self.omega,
            alpha=self.alpha,
            feat=self.feat,
            subset=self.subset,
            rounds=self.rounds,
            seed=self.seed,
            last_scored=self.last_scored,
            known=self.known,
            train_loss=self.train_loss,
            trained=self.trained)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('sakd')
        if state is None or not runner._resume:
            return
        # The state lives on the CPU. mmsakd's local loader already maps to
        # it, but a remote scheme or a caller's map_location may not.
        self.omega = state['omega'].cpu()
        self.alpha = state['alpha'].cpu()
        # Only rank 0 selects, so only rank 0 keeps the fused features.
        feat = state['feat'] if is_main_process() else None
        self.feat = None if feat is None else feat.cpu()
        self.subset = state['subset']
        self.rounds = int(state['rounds'])
        self.seed = int(state['seed'])
        # Checkpoints from before the pool path lack its state.
        for name in ('last_scored', 'known', 'train_loss', 'trained'):
            if state.get(name) is not None:
                setattr(self, name, state[name].cpu())

    # ------------------------------------------------------------ a round
    @property
    def uses_pool(self) -> bool:
        """Whether rounds score a candidate pool rather than every sample
        (``pool_factor`` or ``reuse_train_losses`` set)."""
        return self.pool_factor is not None or self.reuse_train_losses

    def _selection_round(self, runner) -> None:
        if self.uses_pool:
            self._pool_round(runner)
            return
        epoch = runner.epoch
        rate = interruption_rate(epoch, runner.max_epochs, self.theta)
        skipped = skipped_mask(runner.train_dataloader.dataset)
        indices = None
        if skipped.any():
            indices = (~skipped).nonzero().flatten().tolist()

        # 1. Score every sample under the interruption.
        start = time.time()
        timing = dict()
        scores = self._score(runner, rate, epoch, timing, indices)
        score_time = time.time() - start

        # 2-3. Update alpha and the features, select (rank 0, broadcast).
        start = time.time()
        state = None
        if is_main_process():
            settings = self._round_settings(runner)
            if len(scores.indices) == len(self.omega):
                state = selection_round(
                    scores.losses,
                    scores.feats,
                    self.omega,
                    self.alpha,
                    self.feat,
                    self.rounds,
                    rate,
                    epoch,
                    settings=settings,
                    labels=self._labels)
            else:
                # Skipped clips are no candidates; every other sample was
                # scored in every earlier round, so has fused features.
                state = pool_round(
                    scores.indices,
                    scores.losses,
                    scores.feats,
                    torch.ones(len(scores.indices), dtype=torch.bool),
                    self.omega,
                    self.alpha,
                    self.feat,
                    torch.full((len(self.omega), ), self.feat is not None),
                    self.rounds,
                    rate,
                    epoch,
                    settings=settings,
                    labels=self._labels)
            state['skipped'] = scores.skipped
        state = self._share(runner, state, epoch)
        self.omega, self.alpha, self.subset, self.rounds = (state['omega'],
                                                            state['alpha'],
                                                            state['subset'],
                                                            state['rounds'])
        select_time = time.time() - start

        # 4. Hand the subset to the sampler and alpha to the distiller.
        self._hand_over(runner)
        self._log_round(runner, epoch, rate, score_time, select_time,
                        timing['data_time'])

    def _pool_round(self, runner) -> None:
        """A round that scores a candidate pool and reuses training losses
        (docs/method.md#candidate-pool)."""
        epoch = runner.epoch
        rate = interruption_rate(epoch, runner.max_epochs, self.theta)
        num = len(self.omega)
        settings = self._round_settings(runner)
        k = subset_size(settings.ratio, num)
        skipped = skipped_mask(runner.train_dataloader.dataset)
        reused = torch.zeros(num, dtype=torch.bool)
        if self.reuse_train_losses:
            reused = self.trained & self.known & ~skipped
        num_reused = int(reused.sum())
        size = num - num_reused - int(skipped.sum())
        if self.pool_factor is not None:
            pool = math.ceil(as_fraction(self.pool_factor) * k)
            size = min(size, max(pool, k - num_reused))
        fresh = candidate_pool(
            self.last_scored,
            size,
            self.pool_random,
            generator=make_generator(self.seed, epoch, stream='pool'),
            exclude=reused | skipped)

        # 1. Score the fresh candidates under the interruption.
        start = time.time()
        timing = dict(data_time=0.)
        scores = None
        if len(fresh):
            scores = self._score(runner, rate, epoch, timing, fresh.tolist())
        score_time = time.time() - start

        # 2-3. Update the candidates' state and select (rank 0, broadcast).
        start = time.time()
        state = None
        if is_main_process():
            reused_idx = reused.nonzero().flatten()
            scored = fresh[:0] if scores is None else scores.indices
            candidates = torch.cat([scored, reused_idx])
            losses = [self.train_loss[reused_idx]]
            if scores is not None:
                losses.insert(0, scores.losses)
            state = pool_round(
                candidates,
                torch.cat(losses),
                None if scores is None else scores.feats,
                torch.arange(len(candidates)) < len(scored),
                self.omega,
                self.alpha,
                self.feat,
                self.known,
                self.rounds,
                rate,
                epoch,
                settings=settings,
                labels=self._labels)
            state['candidates'] = candidates
            state['skipped'] = [] if scores is None else scores.skipped
        state = self._share(runner, state, epoch)
        self.last_scored[state['candidates']] = self.rounds
        self.trained.zero_()
        self.omega, self.alpha, self.known = (state['omega'], state['alpha'],
                                              state['known'])
        self.subset, self.rounds = state['subset'], state['rounds']
        select_time = time.time() - start

        # 4. Hand the subset to the sampler and alpha to the distiller.
        self._hand_over(runner)
        self._log_round(
            runner,
            epoch,
            rate,
            score_time,
            select_time,
            timing['data_time'],
            scored=len(state['candidates']) - num_reused,
            reused=num_reused)

    def _share(self, runner, state: Optional[dict], epoch: int) -> dict:
        """Keep the fused features on rank 0, where selection runs; send
        the rest of the round's state to every rank, which records the
        clips skipped in scoring."""
        if state is not None:
            self.feat = state.pop('feat')
        state = _broadcast(state)
        if state['skipped']:
            runner.train_dataloader.dataset.report(
                state['skipped'], f'SAKD scoring, epoch {epoch}')
        return state

    def _score(self,
               runner,
               rate: float,
               epoch: int,
               timing: dict,
               indices: Optional[List[int]] = None) -> Optional[Scores]:
        """The scoring pass over every sample (or ``indices``) at ``rate``
        (:func:`mmsakd.engine.score_samples`), projected and gathered to
        rank 0; under the autocast of training with ``--amp``."""
        return score_samples(
            unwrap_model(runner),
            self._scoring_loader(runner, indices),
            rate,
            epoch,
            seed=self.seed,
            eta=self.eta,
            scope=self.scope,
            patch_size=self.patch_size,
            timing=timing,
            indices=indices,
            d_max=self.settings.d_max,
            dst=0,
            autocast=training_autocast(runner.optim_wrapper))

    def _hand_over(self, runner) -> None:
        runner.train_dataloader.sampler.set_subset(self.subset)
        unwrap_model(runner).set_sample_alpha(self._handed_alpha())

    def _scoring_loader(self,
                        runner,
                        indices: Optional[List[int]] = None) -> DataLoader:
        """The training set (or its ``indices``) with the validation-style
        pipeline, sharded by :func:`mmsakd.engine.rank_batches`; the dataset
        is built once."""
        if self._score_loader is not None:
            if indices is None:
                return self._score_loader
            return build_scoring_loader(self._score_loader.dataset,
                                        self.score_batch_size,
                                        self._score_loader.num_workers,
                                        self.seed, indices)
        dataset_cfg = copy.deepcopy(runner.cfg.train_dataloader.dataset)
        pipeline = self.score_pipeline
        if pipeline is None:
            if not runner.cfg.get('val_dataloader'):
                raise ValueError(
                    'SAKDHook scores with the validation pipeline, but the '
                    'config has no val_dataloader: set '
                    'default_hooks.sakd.score_pipeline')
            pipeline = _innermost(
                runner.cfg.val_dataloader.dataset).get('pipeline')
        inner = _innermost(dataset_cfg)
        inner['pipeline'] = copy.deepcopy(pipeline)
        inner['test_mode'] = True
        dataset = DATASETS.build(dataset_cfg)
        if len(dataset) != len(runner.train_dataloader.dataset):
            raise ValueError('the scoring dataset has a different length '
                             'than the training set')
        train_set = runner.train_dataloader.dataset
        if isinstance(dataset, SkipBrokenClips) and isinstance(
                train_set, SkipBrokenClips) and train_set.skipping:
            dataset.enable_skipping()
        num_workers = self.score_num_workers
        if num_workers is None:
            num_workers = runner.cfg.train_dataloader.get('num_workers', 0)
        self._score_loader = build_scoring_loader(dataset,
                                                  self.score_batch_size,
                                                  num_workers, self.seed)
        return self._scoring_loader(runner, indices)

    # ------------------------------------------------------------ helpers
    def _handed_alpha(self) -> Tensor:
        """The strengths the distiller trains with: Eq. 6's, floored at
        ``alpha_min``."""
        return self.alpha.clamp(min=self.alpha_min)

    def _log_round(self,
                   runner,
                   epoch: int,
                   rate: float,
                   score_time: float,
                   select_time: float,
                   score_data_time: float,
                   scored: Optional[int] = None,
                   reused: int = 0) -> None:
        alpha = self.alpha
        subset = torch.tensor(self.subset)
        skipped = int(skipped_mask(runner.train_dataloader.dataset).sum())
        num_classes = int(self._labels.max()) + 1 if len(self._labels) else 0
        classes = self._labels[subset].unique()
        record = dict(
            epoch=epoch,
            round=self.rounds,
            interruption_rate=round(rate, 6),
            interruption='none' if rate == 0 else
            ('dropout' if rate < self.eta else 'shuffle'),
            score_time=round(score_time, 3),
            score_data_time=round(score_data_time, 3),
            select_time=round(select_time, 3),
            ratio=round(self.round_ratio(epoch, runner.max_epochs), 6),
            subset_size=len(self.subset),
            num_samples=len(alpha),
            scored=len(alpha) - skipped if scored is None else scored,
            reused=reused,
            skipped=skipped,
            alpha_mean=float(alpha.mean()),
            alpha_min=float(alpha.min()),
            alpha_max=float(alpha.max()),
            never_selected=float((self.omega == 0).float().mean()),
            classes_covered=int(len(classes)),
            num_classes=num_classes,
            alpha_hist=np.histogram(alpha.numpy(), bins=10,
                                    range=(0., 1.))[0].tolist(),
            selected=self.subset,
            selected_labels=self._labels[subset].tolist())
        print_log(
            f'SAKD round {self.rounds} (epoch {epoch}): scored '
            f'{record["scored"]} samples in {score_time:.1f}s '
            f'{f"(reused {reused} training losses) " if reused else ""}'
            f'(interruption {record["interruption"]}, rate {rate:.3f}), '
            f'selected {len(self.subset)} in {select_time:.2f}s; alpha '
            f'mean/min/max {record["alpha_mean"]:.3f}/'
            f'{record["alpha_min"]:.3f}/{record["alpha_max"]:.3f}; never '
            f'selected {100 * record["never_selected"]:.1f}%; classes '
            f'covered {record["classes_covered"]}/{num_classes}'
            f'{f"; {skipped} unreadable clips skipped" if skipped else ""}',
            logger='current')
        for key in ('score_time', 'select_time', 'alpha_mean',
                    'never_selected'):
            runner.message_hub.update_scalar(f'train/sakd_{key}', record[key])
        if is_main_process():
            append_json_line(osp.join(runner.work_dir, self.log_file), record)


def _innermost(dataset_cfg: dict) -> dict:
    """The config of the dataset inside dataset wrappers (such as
    ``SkipBrokenClips``), whose pipeline reads the clips."""
    while 'pipeline' not in dataset_cfg and isinstance(
            dataset_cfg.get('dataset'), dict):
        dataset_cfg = dataset_cfg['dataset']
    return dataset_cfg


def _broadcast(obj):
    _, world_size = get_dist_info()
    if world_size == 1:
        return obj
    holder = [obj]
    broadcast_object_list(holder, src=0)
    return holder[0]
