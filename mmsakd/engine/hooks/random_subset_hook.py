import math
import os.path as osp
from typing import List, Optional

import numpy as np
from mmengine.dist import is_main_process
from mmengine.logging import print_log
from torch import Tensor

from mmsakd.datasets import skipped_mask
from mmsakd.registry import HOOKS
from mmsakd.selection import check_bool, check_int, check_range, subset_size
from mmsakd.utils import append_json_line
from .subset_hook import SubsetHook
from .utils import (check_by_epoch_schedulers, check_subset_sampler,
                    fix_max_iters, resolve_seed, train_sampler)


@HOOKS.register_module()
class RandomSubsetHook(SubsetHook):
    """Plain random-subset KD: train on a uniformly random subset of the
    training set, redrawn every ``interval`` epochs, a control of the
    benchmark (Ben-Baruch et al., ICML 2025;
    docs/method.md#baselines-for-the-benchmark).

    At the start of every epoch ``n`` with ``n % interval == 0`` the hook
    draws ``k = ceil(ratio * N)`` distinct dataset indices uniformly at
    random (the same ``k`` as SAKD, :func:`mmsakd.selection.subset_size`)
    from a generator seeded by ``(seed, n)`` and hands them, sorted, to the
    :class:`SubsetSampler`; between rounds the subset is kept. Nothing is
    scored and no per-sample weight is set: the distiller's constant
    ``alpha`` applies to every sample.

    With ``replacement=False`` the rounds draw without replacement across
    rounds, as RS2 does (Okanovic et al., "Repeated Random Sampling for
    Minimizing the Time-to-Accuracy of Learning", ICLR 2024): a cycle of
    ``m = ceil(R / k)`` rounds (``R`` readable clips) splits one random
    permutation, drawn from ``(seed, cycle)``, into consecutive chunks of
    ``k``, so that every clip is trained on once before any clip twice; the
    last chunk of a cycle is topped up from the start of its permutation.

    The subset, the seed and the round counter are saved in checkpoints and
    restored on resume. Each round is logged and appended as one JSON line
    to ``<work_dir>/<log_file>``.

    Args:
        ratio (float): Fraction of the training set in the subset, in
            (0, 1]. Defaults to 0.1.
        interval (int): Epochs between draws, >= 1. Defaults to 1.
        seed (int, optional): Seed of the draws, >= 0; None takes
            ``randomness.seed`` of the config (0 if unset). Defaults to None.
        replacement (bool): Draw each round independently (True) or
            without replacement across the rounds of a cycle (False, RS2).
            Defaults to True.
        log_file (str): File name, in the work dir, of the per-round JSON
            lines. Defaults to 'random_subset_rounds.jsonl'.
    """

    def __init__(self,
                 ratio: float = 0.1,
                 interval: int = 1,
                 seed: Optional[int] = None,
                 replacement: bool = True,
                 log_file: str = 'random_subset_rounds.jsonl') -> None:
        check_range('ratio', ratio, 0, 1, low_open=True)
        check_int('interval', interval, 1)
        check_bool('replacement', replacement)
        self.ratio = float(ratio)
        self.interval = interval
        self.replacement = replacement
        super().__init__(seed, log_file)
        self.subset: Optional[List[int]] = None
        self.rounds = 0
        self._num_samples: Optional[int] = None

    # ------------------------------------------------------------------ run
    def before_run(self, runner) -> None:
        self.seed = resolve_seed(runner, self.seed)
        check_by_epoch_schedulers(runner, type(self).__name__)

    def before_train(self, runner) -> None:
        sampler = check_subset_sampler(runner, type(self).__name__)
        self._num_samples = len(runner.train_dataloader.dataset)
        if self.subset is not None:
            # A resumed run continues with the restored subset.
            if max(self.subset) >= self._num_samples:
                raise ValueError(
                    'the checkpoint holds a random subset with index '
                    f'{max(self.subset)} but the training set has '
                    f'{self._num_samples} samples')
            sampler.set_subset(self.subset)
        fix_max_iters(runner)

    def before_train_epoch(self, runner) -> None:
        epoch = runner.epoch
        if epoch % self.interval == 0:
            self.subset = self.draw(
                epoch, self._num_samples,
                skipped_mask(runner.train_dataloader.dataset))
            self.rounds += 1
            train_sampler(runner).set_subset(self.subset)
            self._log_round(runner, epoch)
        fix_max_iters(runner)

    # ---------------------------------------------------------- checkpoint
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['random_subset'] = dict(
            subset=self.subset, seed=self.seed, rounds=self.rounds)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('random_subset')
        if state is None or not runner._resume:
            return
        self.subset = state['subset']
        self.seed = int(state['seed'])
        self.rounds = int(state['rounds'])

    # ---------------------------------------------------------------- draw
    def draw(self,
             epoch: int,
             num_samples: int,
             skipped: Optional[Tensor] = None) -> List[int]:
        """The subset of a round.

        Args:
            epoch (int): The 0-based epoch of the round.
            num_samples (int): Size ``N`` of the training set.
            skipped (Tensor, optional): ``(N,)`` bool, unreadable clips
                (:class:`~mmsakd.datasets.SkipBrokenClips`), never drawn.
                Defaults to None.

        Returns:
            list[int]: ``min(ceil(ratio * N), readable)`` distinct indices
            in ``[0, N)``, sorted.
        """
        k = subset_size(self.ratio, num_samples)
        population = num_samples
        if skipped is not None and bool(skipped.any()):
            population = np.flatnonzero(~skipped.numpy())
            k = min(k, len(population))
        if self.replacement:
            generator = np.random.default_rng([self.seed, epoch])
            return sorted(
                int(i) for i in generator.choice(population, k, replace=False))
        population = np.arange(population) if np.ndim(
            population) == 0 else np.asarray(population)
        rounds = math.ceil(len(population) / k)
        cycle, position = divmod(epoch // self.interval, rounds)
        order = np.random.default_rng([self.seed, cycle,
                                       1]).permutation(population)
        chunk = order[position * k:(position + 1) * k]
        # The last chunk of a cycle, topped up from its start.
        chunk = np.concatenate([chunk, order[:k - len(chunk)]])
        return sorted(int(i) for i in chunk)

    def _round_extras(self) -> dict:
        """Fields that a subclass adds to a round's record and log line."""
        return {}

    def _log_round(self, runner, epoch: int) -> None:
        extras = self._round_extras()
        record = dict(
            epoch=epoch,
            round=self.rounds,
            subset_size=len(self.subset),
            num_samples=self._num_samples,
            **extras,
            selected=self.subset)
        more = ''.join(f', {key} {value}' for key, value in extras.items())
        print_log(
            f'Random subset round {self.rounds} (epoch {epoch}): '
            f'{len(self.subset)} of {self._num_samples} samples{more}',
            logger='current')
        if is_main_process():
            append_json_line(osp.join(runner.work_dir, self.log_file), record)
