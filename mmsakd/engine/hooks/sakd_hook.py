import copy
import dataclasses
import json
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

from mmsakd.engine.scoring import build_scoring_loader, score_samples
from mmsakd.registry import DATASETS, HOOKS
from mmsakd.selection import (RoundSettings, check_choice, check_int,
                              check_range, interruption_rate, selection_round)
from .utils import (check_by_epoch_schedulers, check_subset_sampler,
                    fix_max_iters, resolve_seed, unwrap_model)


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

    Distributed: each rank scores a disjoint share of global scoring batches
    (:func:`mmsakd.engine.rank_batches`), the results are gathered,
    selection runs on rank 0 and is broadcast, so every rank holds identical
    state. The per-sample state (``omega``, ``alpha``, ``feat``), the subset
    and the round counter are saved in checkpoints and restored on resume.
    Each round is logged and appended as one JSON line to
    ``<work_dir>/sakd_rounds.jsonl``.

    Args:
        ratio (float): Fraction ``r`` of the training set selected, in
            (0, 1]. Defaults to 0.1.
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
        selector (str): ``'dpp'`` (the method: easiness criterion with
            greedy DPP) or ``'random'`` (uniform random subset of the same
            size, an ablation; ``alpha`` is still updated); see
            :data:`mmsakd.selection.SELECTORS`. Defaults to 'dpp'.
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
                 selector: str = 'dpp',
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
        self.interval = interval
        self.eta = float(eta)
        self.theta = float(theta)
        self.alpha_init = float(alpha_init)
        self.scope = scope
        self.patch_size = patch_size
        self.score_batch_size = score_batch_size
        self.score_num_workers = score_num_workers
        self.score_pipeline = score_pipeline
        self.selector = selector
        self.seed = seed
        self.log_file = log_file

        # Per-sample state, created in before_train once N is known.
        self.omega: Optional[Tensor] = None
        self.alpha: Optional[Tensor] = None
        self.feat: Optional[Tensor] = None
        self.subset: Optional[List[int]] = None
        self.rounds = 0
        self._labels: Optional[Tensor] = None
        self._score_loader: Optional[DataLoader] = None

    # ------------------------------------------------------------------ run
    def before_run(self, runner) -> None:
        self.seed = resolve_seed(runner, self.seed)
        check_by_epoch_schedulers(runner, 'SAKDHook')

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
            model.set_sample_alpha(self.alpha.clone())
        fix_max_iters(runner)

    def before_train_epoch(self, runner) -> None:
        if runner.epoch % self.interval == 0:
            self._selection_round(runner)
        fix_max_iters(runner)

    # ---------------------------------------------------------- checkpoint
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['sakd'] = dict(
            omega=self.omega,
            alpha=self.alpha,
            feat=self.feat,
            subset=self.subset,
            rounds=self.rounds,
            seed=self.seed)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('sakd')
        if state is None or not runner._resume:
            return
        self.omega = state['omega']
        self.alpha = state['alpha']
        self.feat = state['feat']
        self.subset = state['subset']
        self.rounds = int(state['rounds'])
        self.seed = int(state['seed'])

    # ------------------------------------------------------------ a round
    def _selection_round(self, runner) -> None:
        epoch = runner.epoch
        rate = interruption_rate(epoch, runner.max_epochs, self.theta)

        # 1. Score every sample under the interruption.
        start = time.time()
        timing = dict()
        losses, feats = score_samples(
            unwrap_model(runner),
            self._scoring_loader(runner),
            rate,
            epoch,
            seed=self.seed,
            eta=self.eta,
            scope=self.scope,
            patch_size=self.patch_size,
            timing=timing)
        score_time = time.time() - start

        # 2-3. Update alpha and the features, select (rank 0, broadcast).
        start = time.time()
        state = None
        if is_main_process():
            state = selection_round(
                losses,
                feats,
                self.omega,
                self.alpha,
                self.feat,
                self.rounds,
                rate,
                epoch,
                settings=dataclasses.replace(self.settings, seed=self.seed),
                labels=self._labels)
        state = _broadcast(state)
        self.omega, self.alpha, self.feat, self.subset, self.rounds = (
            state['omega'], state['alpha'], state['feat'], state['subset'],
            state['rounds'])
        select_time = time.time() - start

        # 4. Hand the subset to the sampler and alpha to the distiller.
        runner.train_dataloader.sampler.set_subset(self.subset)
        unwrap_model(runner).set_sample_alpha(self.alpha.clone())
        self._log_round(runner, epoch, rate, score_time, select_time,
                        timing['data_time'])

    def _scoring_loader(self, runner) -> DataLoader:
        """The training set with the validation-style pipeline, sharded by
        :func:`mmsakd.engine.rank_batches`; built once."""
        if self._score_loader is not None:
            return self._score_loader
        dataset_cfg = copy.deepcopy(runner.cfg.train_dataloader.dataset)
        pipeline = self.score_pipeline
        if pipeline is None:
            if not runner.cfg.get('val_dataloader'):
                raise ValueError(
                    'SAKDHook scores with the validation pipeline, but the '
                    'config has no val_dataloader: set '
                    'default_hooks.sakd.score_pipeline')
            pipeline = runner.cfg.val_dataloader.dataset.pipeline
        dataset_cfg['pipeline'] = copy.deepcopy(pipeline)
        dataset_cfg['test_mode'] = True
        dataset = DATASETS.build(dataset_cfg)
        if len(dataset) != len(runner.train_dataloader.dataset):
            raise ValueError('the scoring dataset has a different length '
                             'than the training set')
        num_workers = self.score_num_workers
        if num_workers is None:
            num_workers = runner.cfg.train_dataloader.get('num_workers', 0)
        self._score_loader = build_scoring_loader(dataset,
                                                  self.score_batch_size,
                                                  num_workers, self.seed)
        return self._score_loader

    # ------------------------------------------------------------ helpers
    def _log_round(self, runner, epoch: int, rate: float, score_time: float,
                   select_time: float, score_data_time: float) -> None:
        alpha = self.alpha
        subset = torch.tensor(self.subset)
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
            subset_size=len(self.subset),
            num_samples=len(alpha),
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
            f'{len(alpha)} samples in {score_time:.1f}s '
            f'(interruption {record["interruption"]}, rate {rate:.3f}), '
            f'selected {len(self.subset)} in {select_time:.2f}s; alpha '
            f'mean/min/max {record["alpha_mean"]:.3f}/'
            f'{record["alpha_min"]:.3f}/{record["alpha_max"]:.3f}; never '
            f'selected {100 * record["never_selected"]:.1f}%; classes '
            f'covered {record["classes_covered"]}/{num_classes}',
            logger='current')
        for key in ('score_time', 'select_time', 'alpha_mean',
                    'never_selected'):
            runner.message_hub.update_scalar(f'train/sakd_{key}', record[key])
        if is_main_process():
            with open(osp.join(runner.work_dir, self.log_file), 'a') as f:
                f.write(json.dumps(record) + '\n')


def _broadcast(obj):
    _, world_size = get_dist_info()
    if world_size == 1:
        return obj
    holder = [obj]
    broadcast_object_list(holder, src=0)
    return holder[0]
