import copy
import functools
import json
import math
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.dataset import pseudo_collate, worker_init_fn
from mmengine.dist import (all_gather_object, broadcast_object_list,
                           get_dist_info, is_main_process)
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.utils import ProgressBar
from torch import Tensor
from torch.utils.data import DataLoader

from mmsakd.datasets.samplers import SubsetSampler
from mmsakd.registry import DATASETS, HOOKS
from mmsakd.selection import (interrupt_batch, interruption_rate,
                              make_generator, selection_round)


def rank_batches(num_samples: int, batch_size: int, rank: int,
                 world_size: int) -> List[int]:
    """Dataset indices that ``rank`` scores, batch by batch.

    The dataset is cut into global batches ``[b * B, (b + 1) * B)``; rank
    ``r`` takes batches ``r, r + w, ...``. Every sample is scored exactly once
    per round, and batch ``b`` holds the same samples (so gets the same
    interruption) whatever the number of ranks.
    """
    num_batches = math.ceil(num_samples / batch_size)
    indices: List[int] = []
    for b in range(rank, num_batches, world_size):
        indices.extend(
            range(b * batch_size, min((b + 1) * batch_size, num_samples)))
    return indices


@HOOKS.register_module()
class SAKDHook(Hook):
    """Sample-level Adaptive Knowledge Distillation (SAKD).

    At the start of every epoch ``n`` with ``n % interval == 0`` the hook runs
    one selection round, following the method's outline:

    1. score every training sample: teacher and student see the clip under
       the dropout-shuffle interruption of rate ``beta(n)`` (Eq. 4), giving
       its per-sample distillation loss and pooled teacher feature;
    2. update the distillation strength ``alpha`` (Eq. 5-6) and the fused
       teacher features (Eq. 7);
    3. select ``ceil(ratio * N)`` easy and diverse samples by greedy DPP
       (Eq. 8), hand them to the :class:`SubsetSampler` and ``alpha`` to the
       distiller, whose loss is Eq. 9.

    Between rounds the subset and ``alpha`` are kept. The spec is
    ``SAKD_METHOD.md``; the per-sample math lives in :mod:`mmsakd.selection`.

    Distributed: each rank scores a disjoint share of global scoring batches
    (:func:`rank_batches`), the results are gathered, selection runs on rank
    0 and is broadcast, so every rank holds identical state. The per-sample
    state (``omega``, ``alpha``, ``feat``), the subset and the round counter
    are saved in checkpoints and restored on resume. Each round is logged and
    appended as one JSON line to ``<work_dir>/sakd_rounds.jsonl``.

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
        selector (str): ``'dpp'`` (the method) or ``'random'`` (uniform
            random subset of the same size, an ablation). Defaults to 'dpp'.
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
        _check_range('ratio', ratio, 0, 1, low_open=True)
        if not isinstance(interval, int) or isinstance(interval, bool) \
                or interval < 1:
            raise ValueError(
                f'interval must be a positive integer, got {interval!r}')
        _check_range('lam', lam, 0, 1, high_open=True)
        _check_range('eta', eta, 0, 1, low_open=True)
        _check_range('gamma', gamma, 0, 1)
        _check_range('alpha_init', alpha_init, 0, 1)
        if not theta > 0:
            raise ValueError(f'theta must be > 0, got {theta}')
        if norm not in ('max', 'rank'):
            raise ValueError(f"norm must be 'max' or 'rank', got {norm!r}")
        if not (isinstance(d_max, int) and d_max >= 1):
            raise ValueError(f'd_max must be an integer >= 1, got {d_max!r}')
        if not sigma > 0:
            raise ValueError(f'sigma must be > 0, got {sigma}')
        if partition not in ('class', 'random'):
            raise ValueError(
                f"partition must be 'class' or 'random', got {partition!r}")
        if not (isinstance(block_size, int) and block_size >= 1):
            raise ValueError(
                f'block_size must be an integer >= 1, got {block_size!r}')
        if scope not in ('batch', 'clip'):
            raise ValueError(f"scope must be 'batch' or 'clip', got {scope!r}")
        if not (isinstance(score_batch_size, int) and score_batch_size >= 1):
            raise ValueError('score_batch_size must be an integer >= 1, got '
                             f'{score_batch_size!r}')
        if selector not in ('dpp', 'random'):
            raise ValueError(
                f"selector must be 'dpp' or 'random', got {selector!r}")
        self.ratio = float(ratio)
        self.interval = interval
        self.lam = float(lam)
        self.eta = float(eta)
        self.gamma = float(gamma)
        self.theta = float(theta)
        self.norm = norm
        self.alpha_init = float(alpha_init)
        self.d_max = d_max
        self.sigma = float(sigma)
        self.partition = partition
        self.block_size = block_size
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
        if self.seed is None:
            self.seed = int(
                (runner.cfg.get('randomness') or {}).get('seed', 0) or 0)
        self._check_schedulers(runner)

    def before_train(self, runner) -> None:
        sampler = runner.train_dataloader.sampler
        if not isinstance(sampler, SubsetSampler):
            raise TypeError('SAKDHook needs train_dataloader.sampler='
                            "dict(type='SubsetSampler'), got "
                            f'{type(sampler).__name__}')
        model = self._model(runner)
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
        self._fix_max_iters(runner)

    def before_train_epoch(self, runner) -> None:
        if runner.epoch % self.interval == 0:
            self._selection_round(runner)
        self._fix_max_iters(runner)

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
        max_epochs = runner.max_epochs
        rate = interruption_rate(epoch, max_epochs, self.theta)
        start = time.time()
        losses, feats = self._score_all(runner, rate)
        score_time = time.time() - start

        start = time.time()
        state = None
        if is_main_process():
            state = self._select(losses, feats, rate, epoch)
        state = _broadcast(state)
        self.omega, self.alpha, self.feat, self.subset, self.rounds = (
            state['omega'], state['alpha'], state['feat'], state['subset'],
            state['rounds'])
        select_time = time.time() - start

        runner.train_dataloader.sampler.set_subset(self.subset)
        self._model(runner).set_sample_alpha(self.alpha.clone())
        self._log_round(runner, epoch, rate, score_time, select_time)

    def _select(self, losses: Tensor, feats: Tensor, rate: float,
                epoch: int) -> Dict:
        """The per-sample updates and the selection, on gathered scores."""
        return selection_round(
            losses,
            feats,
            self.omega,
            self.alpha,
            self.feat,
            self.rounds,
            rate=rate,
            epoch=epoch,
            ratio=self.ratio,
            lam=self.lam,
            gamma=self.gamma,
            norm=self.norm,
            d_max=self.d_max,
            sigma=self.sigma,
            labels=self._labels,
            partition=self.partition,
            block_size=self.block_size,
            selector=self.selector,
            seed=self.seed)

    @torch.no_grad()
    def _score_all(self, runner, rate: float):
        """Per-sample KD loss and pooled teacher feature of every sample."""
        model = self._model(runner)
        loader = self._scoring_loader(runner)
        rank, world_size = get_dist_info()
        num_samples = len(loader.dataset)
        progress = ProgressBar(len(loader)) if is_main_process() else None
        indices, losses, feats = [], [], []
        for local_idx, data_batch in enumerate(loader):
            batch_idx = rank + local_idx * world_size  # global batch index
            data = model.data_preprocessor(data_batch, training=False)
            inputs = data['inputs']
            if rate > 0:
                inputs = interrupt_batch(
                    inputs,
                    rate,
                    eta=self.eta,
                    scope=self.scope,
                    patch_size=self.patch_size,
                    generator=make_generator(self.seed, runner.epoch,
                                             batch_idx))
            scores = model.score(inputs, data['data_samples'])
            indices.append(
                torch.tensor([s.sample_idx for s in data['data_samples']]))
            losses.append(scores['kd_loss'].float().cpu())
            feats.append(scores['teacher_feat'].float().cpu())
            if progress is not None:
                progress.update()
        if progress is not None:
            print('', flush=True)
        local = (torch.cat(indices), torch.cat(losses), torch.cat(feats))
        parts = all_gather_object(local) if world_size > 1 else [local]
        all_idx = torch.cat([p[0] for p in parts])
        counts = torch.bincount(all_idx, minlength=num_samples)
        if not torch.all(counts == 1):
            raise RuntimeError('the scoring pass must score every sample '
                               'exactly once; counts per sample were '
                               f'{counts.unique().tolist()}')
        order = torch.argsort(all_idx)
        return (torch.cat([p[1] for p in parts])[order],
                torch.cat([p[2] for p in parts])[order])

    def _scoring_loader(self, runner) -> DataLoader:
        """The training set with the validation-style pipeline, sharded by
        :func:`rank_batches`.

        Built by hand rather than with ``Runner.build_dataloader`` because
        the shard must be whole global batches, which no registered sampler
        provides.
        """
        if self._score_loader is not None:
            return self._score_loader
        dataset_cfg = copy.deepcopy(runner.cfg.train_dataloader.dataset)
        pipeline = self.score_pipeline
        if pipeline is None:
            if not runner.cfg.get('val_dataloader'):
                raise ValueError(
                    'SAKDHook scores with the validation pipeline, but the '
                    'config has no val_dataloader: set '
                    'custom_hooks[...].score_pipeline')
            pipeline = runner.cfg.val_dataloader.dataset.pipeline
        dataset_cfg['pipeline'] = copy.deepcopy(pipeline)
        dataset_cfg['test_mode'] = True
        dataset = DATASETS.build(dataset_cfg)
        if len(dataset) != len(runner.train_dataloader.dataset):
            raise ValueError('the scoring dataset has a different length '
                             'than the training set')
        rank, world_size = get_dist_info()
        num_workers = self.score_num_workers
        if num_workers is None:
            num_workers = runner.cfg.train_dataloader.get('num_workers', 0)
        init_fn = None
        if num_workers > 0:
            init_fn = functools.partial(
                worker_init_fn,
                num_workers=num_workers,
                rank=rank,
                seed=self.seed)
        self._score_loader = DataLoader(
            dataset,
            batch_size=self.score_batch_size,
            sampler=rank_batches(
                len(dataset), self.score_batch_size, rank, world_size),
            num_workers=num_workers,
            collate_fn=pseudo_collate,
            worker_init_fn=init_fn,
            shuffle=False)
        return self._score_loader

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    @staticmethod
    def _check_schedulers(runner) -> None:
        schedulers = runner.cfg.get('param_scheduler') or []
        if isinstance(schedulers, dict):
            schedulers = [schedulers]
        for i, scheduler in enumerate(schedulers):
            if scheduler.get('convert_to_iter_based', False):
                raise ValueError(
                    f'param_scheduler[{i}] ({scheduler.get("type")}) has '
                    'convert_to_iter_based=True: it is sized from the full '
                    'epoch length at build time, but SAKD trains on a '
                    'subset. Use by-epoch schedulers with SAKDHook.')

    @staticmethod
    def _fix_max_iters(runner) -> None:
        """Make ``max_iters`` (ETA, progress) follow the subset's length."""
        loop = runner.train_loop
        remaining = runner.max_epochs - runner.epoch
        loop._max_iters = runner.iter + remaining * len(
            runner.train_dataloader)

    def _log_round(self, runner, epoch: int, rate: float, score_time: float,
                   select_time: float) -> None:
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


def _check_range(name: str,
                 value: float,
                 low: float,
                 high: float,
                 low_open: bool = False,
                 high_open: bool = False) -> None:
    ok = (value > low if low_open else value
          >= low) and (value < high if high_open else value <= high)
    if not ok:
        interval = ('(' if low_open else
                    '[') + f'{low}, {high}' + (')' if high_open else ']')
        raise ValueError(f'{name} must be in {interval}, got {value!r}')


def _broadcast(obj):
    _, world_size = get_dist_info()
    if world_size == 1:
        return obj
    holder = [obj]
    broadcast_object_list(holder, src=0)
    return holder[0]
