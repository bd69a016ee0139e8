import os.path as osp
from typing import Optional

import torch
from mmengine.dist import is_main_process
from mmengine.logging import print_log
from torch import Tensor

from mmsakd.datasets import skipped_mask
from mmsakd.registry import HOOKS
from mmsakd.selection import check_range
from mmsakd.utils import append_json_line
from ..sakd import (RoundSchedule, SAKDRound, SAKDState, round_message,
                    round_record)
from ..sakd.flat_args import nest_flat_args
from ..scoring import training_autocast
from .schedulers import plan_iter_schedulers
from .subset_hook import SubsetHook
from .utils import (check_subset_sampler, epoch_iters, fix_max_iters,
                    gather_sample_values, read_sample_losses, resolve_seed,
                    train_sampler, unwrap_model)


@HOOKS.register_module()
class SAKDHook(SubsetHook):
    """Sample-level Adaptive Knowledge Distillation (SAKD).

    At the start of every round epoch (:class:`~mmsakd.engine.sakd.
    RoundSchedule`) the hook runs one round (:class:`~mmsakd.engine.sakd.
    SAKDRound`, docs/method.md#selection-rounds):

    1. the ``candidates`` component names the samples of the round (every
       sample in the method);
    2. the ``scorer`` scores them: teacher and student see each clip under
       the dropout-shuffle interruption of rate ``beta(n)`` (Eq. 3-4),
       giving its distillation loss and projected teacher feature;
    3. the strengths ``alpha`` (Eq. 5-6) and the fused teacher features
       (Eq. 7) are updated;
    4. the ``selector`` picks ``ceil(r N)`` samples (greedy DPP over easy,
       diverse samples in the method, Eq. 8);
    5. the subset goes to the :class:`SubsetSampler` and ``alpha`` to the
       distiller, whose loss is Eq. 9; the round is logged.

    Between rounds the subset and ``alpha`` are kept. Beyond the paper
    (docs/method.md#beyond-the-paper): full-data warm-up and annealing
    epochs, a ratio schedule, a floor ``alpha_min`` on the handed
    strengths, and components that make rounds cheaper (``CandidatePool``)
    or select otherwise (``TopKSelector``, ``RandomSelector``).

    Schedulers with ``convert_to_iter_based=True`` are rebuilt over the
    planned iterations of every epoch (docs/method.md#learning-rate-per-
    step). With several ranks, each scores a share of the samples, rank 0
    selects and every rank receives the same state; the state is saved in
    checkpoints (key ``'sakd'``) and restored on resume. Each round is
    appended as one JSON line to ``<work_dir>/<log_file>``.

    The flat arguments of earlier releases (``eta``, ``gamma``,
    ``pool_factor``, ``selector='random'``, ...) still work and warn with
    the key that replaces them.

    Args:
        ratio (float): Fraction ``r`` selected, in (0, 1]; with
            ``ratio_end``, that of the first round. Defaults to 0.1.
        interval (int): Epochs between rounds, >= 1 (1: "Ours", 5:
            "Ours*"). Defaults to 1.
        lam (float): Momentum ``lam`` of Eq. 6-7, in [0, 1).
            Defaults to 0.5.
        norm (str): Easiness normalization, ``'max'`` or ``'rank'``.
            Defaults to 'max'.
        alpha_init (float): Initial strength, in [0, 1]. Defaults to 0.
        alpha_min (float): Floor of the strength handed to the distiller,
            in [0, 1]; the state and the logs keep Eq. 6's value.
            Defaults to 0.
        warmup_epochs (int): Full-data epochs before the first round, >= 0.
            Defaults to 0.
        anneal_epochs (int): Full-data epochs at the end, with the last
            strengths, >= 0. Defaults to 0.
        ratio_end (float, optional): Ratio of the last round, in (0, 1].
            Defaults to None.
        ratio_shape (str): ``'linear'`` or ``'cosine'``.
            Defaults to 'linear'.
        scorer (dict, optional): The scoring pass. Defaults to None
            (``dict(type='InterruptionScorer')``: ``eta``, ``theta``,
            ``d_max``, ``batch_size``, ``pipeline``, ...).
        candidates (dict, optional): The candidates of a round. Defaults
            to None (``dict(type='AllSamples')``; or ``'CandidatePool'``
            with ``pool_factor``, ``pool_random``, ``reuse_train_losses``).
        selector (dict, optional): The selection. Defaults to None
            (``dict(type='DPPSelector')``: ``criterion``, ``gamma``,
            ``sigma``, ``partition``, ``block_size``; or
            ``'TopKSelector'``, ``'RandomSelector'``).
        seed (int, optional): Base seed of the rounds; None takes
            ``randomness.seed`` (0 if unset). Defaults to None.
        log_file (str): File name, in the work dir, of the round log.
            Defaults to 'sakd_rounds.jsonl'.
    """

    def __init__(self,
                 ratio: float = 0.1,
                 interval: int = 1,
                 lam: float = 0.5,
                 norm: str = 'max',
                 alpha_init: float = 0.,
                 alpha_min: float = 0.,
                 warmup_epochs: int = 0,
                 anneal_epochs: int = 0,
                 ratio_end: Optional[float] = None,
                 ratio_shape: str = 'linear',
                 scorer: Optional[dict] = None,
                 candidates: Optional[dict] = None,
                 selector: Optional[dict] = None,
                 seed: Optional[int] = None,
                 log_file: str = 'sakd_rounds.jsonl',
                 **flat) -> None:
        scorer, candidates, selector = nest_flat_args(scorer, candidates,
                                                      selector, flat)
        check_range('alpha_init', alpha_init, 0, 1)
        check_range('alpha_min', alpha_min, 0, 1)
        self.schedule = RoundSchedule(ratio, interval, warmup_epochs,
                                      anneal_epochs, ratio_end, ratio_shape)
        self.round = SAKDRound(scorer, candidates, selector, lam, norm)
        self.alpha_init = float(alpha_init)
        self.alpha_min = float(alpha_min)
        super().__init__(seed, log_file)
        # Created in before_train (or by a resume) once N is known.
        self.state: Optional[SAKDState] = None
        self._labels: Optional[Tensor] = None
        self._plan = None

    # The state of the rounds, for inspection (None before training).
    @property
    def omega(self) -> Optional[Tensor]:
        """Times each sample was selected (:attr:`SAKDState.omega`)."""
        return None if self.state is None else self.state.omega

    @property
    def alpha(self) -> Optional[Tensor]:
        """The strengths of Eq. 6 (:attr:`SAKDState.alpha`)."""
        return None if self.state is None else self.state.alpha

    @property
    def feat(self) -> Optional[Tensor]:
        """The fused features, on rank 0 (:attr:`SAKDState.feat`)."""
        return None if self.state is None else self.state.feat

    @property
    def subset(self) -> Optional[list]:
        """The last round's subset (:attr:`SAKDState.subset`)."""
        return None if self.state is None else self.state.subset

    @property
    def rounds(self) -> int:
        """Rounds done (:attr:`SAKDState.rounds`)."""
        return 0 if self.state is None else self.state.rounds

    # ---------------------------------------------------------------- run
    def before_run(self, runner) -> None:
        self.seed = resolve_seed(runner, self.seed)
        self.schedule.check(runner.max_epochs)
        # Before the resume, which restores the rebuilt schedulers' state.
        self._plan = self.planned_iters(runner)
        plan_iter_schedulers(runner, self._plan, 'SAKDHook')

    def planned_iters(self, runner) -> list:
        """The iterations of every epoch on this rank
        (:meth:`RoundSchedule.planned_iters`).

        Args:
            runner (Runner): The runner.

        Returns:
            list[int]: One count per epoch.
        """
        return self.schedule.planned_iters(
            len(runner.train_dataloader.dataset), runner.max_epochs,
            lambda num: epoch_iters(runner, num))

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
        if self.state is None:
            self.state = SAKDState(num_samples, self.alpha_init, self.seed)
        elif len(self.state) != num_samples:
            raise ValueError(
                f'the checkpoint holds SAKD state for {len(self.state)} '
                f'samples but the training set has {num_samples}')
        self._labels = torch.tensor([
            int(dataset.get_data_info(i)['label']) for i in range(num_samples)
        ])
        # A resumed run continues with the restored subset and strengths.
        if self.state.subset is not None:
            sampler.set_subset(self.state.subset)
        if self.state.rounds > 0:
            model.set_sample_alpha(self._handed_alpha())
        fix_max_iters(runner, self._plan)

    def before_train_epoch(self, runner) -> None:
        epoch, max_epochs = runner.epoch, runner.max_epochs
        if self.schedule.is_anneal(epoch, max_epochs):
            # Annealing: every sample, the strengths of the last round.
            train_sampler(runner).set_subset(None)
        elif self.schedule.is_round(epoch, max_epochs):
            self._run_round(runner)
        fix_max_iters(runner, self._plan)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        if self.round.candidates.reuses_train_losses:
            record = read_sample_losses(runner,
                                        'SAKDHook with reuse_train_losses')
            self.state.record_train_losses(
                *gather_sample_values(record['sample_idx'], record['kd']))

    # --------------------------------------------------------- checkpoint
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['sakd'] = self.state.state_dict()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('sakd')
        if state is None or not runner._resume:
            return
        self.state = SAKDState(len(state['omega']))
        self.state.load_state_dict(state)
        self.seed = self.state.seed

    # -------------------------------------------------------------- round
    def _run_round(self, runner) -> None:
        epoch, dataset = runner.epoch, runner.train_dataloader.dataset
        scorer = self.round.scorer
        if not scorer.attached:
            scorer.attach_train_set(runner, self.seed)
        result = self.round.run(
            unwrap_model(runner),
            self.state,
            epoch,
            runner.max_epochs,
            self.schedule.round_ratio(epoch, runner.max_epochs),
            self._labels,
            skipped=skipped_mask(dataset),
            autocast=training_autocast(runner.optim_wrapper))
        if result.skipped:
            dataset.report(result.skipped, f'SAKD scoring, epoch {epoch}')
        # Hand the subset to the sampler and alpha to the distiller.
        train_sampler(runner).set_subset(self.state.subset)
        unwrap_model(runner).set_sample_alpha(self._handed_alpha())
        record = round_record(result, self.state, self._labels,
                              int(skipped_mask(dataset).sum()), scorer.eta)
        print_log(round_message(record), logger='current')
        for key in ('score_time', 'select_time', 'alpha_mean',
                    'never_selected'):
            runner.message_hub.update_scalar(f'train/sakd_{key}', record[key])
        if is_main_process():
            append_json_line(osp.join(runner.work_dir, self.log_file), record)

    def _handed_alpha(self) -> Tensor:
        """The strengths the distiller trains with: Eq. 6's, floored at
        ``alpha_min``."""
        return self.state.alpha.clamp(min=self.alpha_min)
