"""The scoring pass of a SAKD round as a registered component."""
import copy
from typing import Callable, ContextManager, List, Optional, Sequence

from torch.utils.data import DataLoader, Dataset

from mmsakd.datasets import SkipBrokenClips
from mmsakd.registry import DATASETS, TASK_UTILS
from mmsakd.selection import (check_choice, check_int, check_range,
                              interruption_rate)
from mmsakd.utils.dataset_cfg import innermost
from ..scoring import Scores, build_scoring_loader, score_samples

#: Makes the loader of the samples to score (None: every sample).
LoaderFactory = Callable[[Optional[List[int]]], DataLoader]


@TASK_UTILS.register_module()
class InterruptionScorer:
    """Scores samples by their distillation loss under the dropout-shuffle
    interruption (Eq. 3-4, docs/method.md#difficulty) and pools, projects
    and gathers their teacher features to rank 0 (the projection of Eq. 7,
    docs/method.md#fused-teacher-features, happens here only).

    The samples come from :meth:`attach` (any loader factory) or
    :meth:`attach_train_set` (the training set of a runner's config with
    the validation pipeline).

    Args:
        eta (float): Dropout/shuffle threshold of the interruption, in
            (0, 1]. Defaults to 0.5.
        theta (float): Power of the interruption schedule (Eq. 4), > 0.
            Defaults to 0.9.
        scope (str): Shuffle scope, ``'batch'`` or ``'clip'``.
            Defaults to 'batch'.
        patch_size (int): Patch side for inputs without time axis, >= 1.
            Defaults to 4.
        batch_size (int): Batch size of the scoring pass, >= 1.
            Defaults to 64.
        num_workers (int, optional): Loader workers; None takes the
            training loader's. Defaults to None.
        pipeline (list, optional): Pipeline of the scored clips; None takes
            the validation dataloader's (no random augmentation).
            Defaults to None.
        d_max (int): Largest dimension of the fused features, >= 1.
            Defaults to 512.
        progress (bool): Show a progress bar. Defaults to True.
    """

    def __init__(self,
                 eta: float = 0.5,
                 theta: float = 0.9,
                 scope: str = 'batch',
                 patch_size: int = 4,
                 batch_size: int = 64,
                 num_workers: Optional[int] = None,
                 pipeline: Optional[Sequence[dict]] = None,
                 d_max: int = 512,
                 progress: bool = True) -> None:
        check_range('eta', eta, 0, 1, low_open=True)
        if not (isinstance(theta, (int, float)) and theta > 0):
            raise ValueError(f'theta must be > 0, got {theta!r}')
        check_choice('scope', scope, ('batch', 'clip'))
        check_int('patch_size', patch_size, 1)
        check_int('batch_size', batch_size, 1)
        if num_workers is not None:
            check_int('num_workers', num_workers, 0)
        if pipeline is not None and not isinstance(pipeline, (list, tuple)):
            raise TypeError('pipeline must be a list of transform configs or '
                            f'None, got {pipeline!r}')
        check_int('d_max', d_max, 1)
        self.eta = float(eta)
        self.theta = float(theta)
        self.scope = scope
        self.patch_size = patch_size
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.pipeline = pipeline
        self.d_max = d_max
        self.progress = progress
        self._loaders: Optional[LoaderFactory] = None

    def rate(self, epoch: int, max_epochs: int) -> float:
        """The interruption rate ``beta(n)`` of a round (Eq. 4)."""
        return interruption_rate(epoch, max_epochs, self.theta)

    def attach(self, loaders: LoaderFactory) -> None:
        """Score the samples of ``loaders``.

        Args:
            loaders (callable): Gives the loader of the listed dataset
                indices (all with None), in the global batches of
                :func:`~mmsakd.engine.rank_batches`.
        """
        self._loaders = loaders

    def attach_dataset(self, dataset: Dataset, seed: int = 0) -> None:
        """Score the samples of ``dataset`` (:func:`~mmsakd.engine.
        build_scoring_loader`; the loader of every sample is built once).

        Args:
            dataset (Dataset): Packed samples.
            seed (int): Seed of the loader workers. Defaults to 0.
        """
        workers = self.num_workers or 0
        whole = build_scoring_loader(dataset, self.batch_size, workers, seed)

        def loaders(indices: Optional[List[int]]) -> DataLoader:
            if indices is None:
                return whole
            return build_scoring_loader(dataset, self.batch_size, workers,
                                        seed, indices)

        self.attach(loaders)

    def attach_train_set(self, runner, seed: int = 0) -> None:
        """Score the training set of ``runner``'s config, read with
        ``pipeline`` (or the validation pipeline) in test mode.

        Args:
            runner (Runner): The runner.
            seed (int): Seed of the loader workers. Defaults to 0.
        """
        dataset_cfg = copy.deepcopy(runner.cfg.train_dataloader.dataset)
        pipeline = self.pipeline
        if pipeline is None:
            if not runner.cfg.get('val_dataloader'):
                raise ValueError(
                    'SAKDHook scores with the validation pipeline, but the '
                    'config has no val_dataloader: set '
                    'default_hooks.sakd.scorer.pipeline')
            pipeline = innermost(
                runner.cfg.val_dataloader.dataset).get('pipeline')
        inner = innermost(dataset_cfg)
        inner['pipeline'] = copy.deepcopy(pipeline)
        inner['test_mode'] = True
        dataset = DATASETS.build(dataset_cfg)
        train_set = runner.train_dataloader.dataset
        if len(dataset) != len(train_set):
            raise ValueError('the scoring dataset has a different length '
                             'than the training set')
        if isinstance(dataset, SkipBrokenClips) and isinstance(
                train_set, SkipBrokenClips) and train_set.skipping:
            dataset.enable_skipping()
        if self.num_workers is None:
            self.num_workers = runner.cfg.train_dataloader.get(
                'num_workers', 0)
        self.attach_dataset(dataset, seed)

    @property
    def attached(self) -> bool:
        """Whether the scorer has samples to score."""
        return self._loaders is not None

    def loader(self, indices: Optional[List[int]] = None) -> DataLoader:
        """This rank's loader of ``indices`` (None: every sample)."""
        if self._loaders is None:
            raise RuntimeError('InterruptionScorer has no samples: call '
                               'attach, attach_dataset or attach_train_set')
        return self._loaders(indices)

    def __call__(self,
                 model,
                 rate: float,
                 epoch: int,
                 seed: int,
                 indices: Optional[List[int]] = None,
                 autocast: Optional[Callable[[], ContextManager]] = None,
                 timing: Optional[dict] = None) -> Optional[Scores]:
        """Score ``indices`` (None: every sample) at ``rate``.

        Args:
            model: The distiller, unwrapped.
            rate (float): The interruption rate.
            epoch (int): The 0-based epoch (seeds the interruption).
            seed (int): The base seed of interruption and projection.
            indices (list[int], optional): The samples. Defaults to None.
            autocast (callable, optional): The autocast of training
                (:func:`~mmsakd.engine.training_autocast`).
                Defaults to None.
            timing (dict, optional): Receives ``data_time``.
                Defaults to None.

        Returns:
            Scores, optional: On rank 0; None on the others.
        """
        return score_samples(
            model,
            self.loader(indices),
            rate,
            epoch,
            seed=seed,
            eta=self.eta,
            scope=self.scope,
            patch_size=self.patch_size,
            progress=self.progress,
            timing=timing,
            indices=indices,
            d_max=self.d_max,
            dst=0,
            autocast=autocast)
