import os.path as osp
import time
from typing import List, Optional

import torch
from mmengine.dataset import pseudo_collate
from mmengine.dist import barrier, get_dist_info
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.utils import ProgressBar
from torch.utils.data import DataLoader

from mmsakd.datasets import ReplayAugmentation
from mmsakd.datasets.multigrid import shape_batches
from mmsakd.datasets.wrapper import EpochDatasetWrapper
from mmsakd.models.utils import TeacherOutputStore
from mmsakd.models.utils.teacher_cache import check_logits_only
from mmsakd.registry import HOOKS
from mmsakd.selection import make_generator
from mmsakd.selection.checks import (check_bool, check_choice, check_int,
                                     check_range)
from mmsakd.utils import raise_on_every_rank
from ..store_fingerprint import fingerprint_name, store_fingerprint
from .dropout_shuffle_hook import find_in_dataset
from .utils import check_epoch_loop, unwrap_model


@HOOKS.register_module()
class TeacherStoreHook(Hook):
    """Read the teacher's logits of training clips from a persistent
    :class:`~mmsakd.models.utils.TeacherOutputStore`, and write those not
    stored yet (docs/method.md#teacher-output-store).

    Before training it works out what the stored outputs depend on (the
    teacher's weights and config, the preprocessing, the training dataset's
    config and annotation list, the number of views), opens the store
    named by that fingerprint under ``root`` (or at ``path``) and hands it
    to the distiller, which then runs its teacher only on the clips whose
    view is not stored. The first run that uses a store fills it as it
    trains; later runs with the same teacher and views (other student
    seeds, KD methods, ablations) read it.

    The number of views is ``num_views`` of the training set's
    :class:`~mmsakd.datasets.ReplayAugmentation` (one view per epoch when it
    has none), or 1 without one. It refuses what would give wrong
    targets, naming the cause:

    - a training pipeline that gives two different clips for the same
      index and view: random, and not (fully) replayed, found by drawing
      the first clip twice;
    - batch augments of the data preprocessor (MixUp, CutMix), which are
      drawn per batch;
    - a KD loss that reads more of the teacher than its logits, or
      ``interrupt_train``;
    - a store folder written for another fingerprint or format;
    - an iteration-based training loop.

    Before each epoch it runs the teacher on ``num_checks`` stored clips
    of the epoch's view and stops the run when a stored logit differs from
    the live one by more than ``atol + rtol * |live|``.

    The store lives outside checkpoints: a resumed run reopens it, and a
    run started from ``load_from`` reads only what its own fingerprint
    names.

    Args:
        root (str): Folder of the stores, one sub-folder per fingerprint;
            ``{work_dir}`` in it stands for the run's work dir (a store of
            the run's own). Defaults to 'work_dirs/teacher_store'.
        path (str, optional): The store's folder itself, instead of one
            under ``root`` (e.g. one written by
            ``tools/precompute_teacher.py``). Defaults to None.
        topk (int, optional): Keep only the ``topk`` largest logits of each
            clip, >= 1; None keeps all. Defaults to None.
        dtype (str): ``'float16'`` or ``'float32'``. Defaults to 'float16'.
        prefill (bool): Fill every missing view in one inference pass
            before training (:meth:`fill_missing`, as
            ``tools/precompute_teacher.py`` does), outside the epochs'
            training time; False fills the store as the run trains.
            Defaults to False.
        num_checks (int): Stored clips checked against the live teacher
            before each epoch, >= 0. Defaults to 4.
        atol (float): Absolute tolerance of the check, >= 0.
            Defaults to 0.05.
        rtol (float): Relative tolerance of the check, >= 0.
            Defaults to 0.01.

    Example::

        custom_hooks = [
            dict(type='ReplayAugmentationHook'),
            dict(type='TeacherStoreHook'),
        ]
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 root: str = 'work_dirs/teacher_store',
                 path: Optional[str] = None,
                 topk: Optional[int] = None,
                 dtype: str = 'float16',
                 prefill: bool = False,
                 num_checks: int = 4,
                 atol: float = 0.05,
                 rtol: float = 0.01) -> None:
        if not isinstance(root, str) or not root:
            raise TypeError(f'root must be a folder path, got {root!r}')
        if path is not None and (not isinstance(path, str) or not path):
            raise TypeError(f'path must be a folder path or None, got '
                            f'{path!r}')
        if topk is not None:
            check_int('topk', topk, 1)
        check_choice('dtype', dtype, ('float16', 'float32'))
        check_bool('prefill', prefill)
        check_int('num_checks', num_checks, 0)
        check_range('atol', atol, 0, float('inf'))
        check_range('rtol', rtol, 0, float('inf'))
        self.root = root
        self.path = path
        self.topk = topk
        self.dtype = dtype
        self.prefill = prefill
        self.num_checks = num_checks
        self.atol = float(atol)
        self.rtol = float(rtol)
        self.store: Optional[TeacherOutputStore] = None
        self._replays: List[ReplayAugmentation] = []
        self._epoch_wrappers: List[EpochDatasetWrapper] = []

    def before_train(self, runner) -> None:
        kwargs, error = None, None
        try:
            kwargs = self._store_args(runner)
        except Exception as err:  # noqa: B902 (every rank must stop)
            error = err
        raise_on_every_rank(error)
        # Rank 0 creates the files; the others open them once they exist.
        rank, _ = get_dist_info()
        try:
            if rank == 0:
                self.store = TeacherOutputStore(**kwargs)
        except Exception as err:  # noqa: B902 (every rank must stop)
            error = err
        barrier()
        try:
            if rank != 0:
                self.store = TeacherOutputStore(create=False, **kwargs)
        except Exception as err:  # noqa: B902 (every rank must stop)
            error = error or err
        raise_on_every_rank(error)
        unwrap_model(runner).teacher_store = self.store
        print_log(
            f'TeacherStoreHook: store {self.store.path} '
            f'({self.store.nbytes / 2**20:.1f} MiB, '
            f'{len(self.store)} of {self.store.shape[0] * self.store.shape[1]}'
            ' clip views stored)',
            logger='current')
        if self.prefill:
            self.fill_missing(runner)

    def before_train_epoch(self, runner) -> None:
        error = None
        try:
            self._check_stored(runner)
        except Exception as err:  # noqa: B902 (every rank must stop)
            error = err
        raise_on_every_rank(error)
        self._reads = (self.store.hits, self.store.misses)

    def after_train_epoch(self, runner) -> None:
        self.store.flush()
        hits = self.store.hits - self._reads[0]
        misses = self.store.misses - self._reads[1]
        runner.message_hub.update_scalar('train/store_hit_ratio',
                                         hits / max(hits + misses, 1))
        print_log(
            f'TeacherStoreHook: epoch {runner.epoch}: {hits} clips read '
            f'from the store, {misses} run through the teacher and written',
            logger='current')

    def after_train(self, runner) -> None:
        if self.store is not None:
            self.store.flush()

    def fill_missing(self,
                     runner,
                     batch_size: Optional[int] = None,
                     num_workers: Optional[int] = None) -> int:
        """Run the teacher, in inference only, on every view the store
        lacks and write the logits; each rank takes every N-th clip.

        Args:
            runner (Runner): The runner, after :meth:`before_train`.
            batch_size (int, optional): Clips per forward; None: 4x the
                training batch. Defaults to None.
            num_workers (int, optional): Loader workers; None: the
                training loader's. Defaults to None.

        Returns:
            int: The number of clip views this rank wrote.
        """
        store = self.store
        loader_cfg = runner.cfg.train_dataloader
        batch_size = batch_size or 4 * loader_cfg.get('batch_size', 1)
        if num_workers is None:
            num_workers = loader_cfg.get('num_workers', 0)
        model = unwrap_model(runner)
        dataset = runner.train_dataloader.dataset
        rank, world_size = get_dist_info()
        num_views = store.shape[0]
        missing = [(~store.filled(view)).nonzero().flatten().tolist()
                   for view in range(num_views)]
        # Split by index, not by position: ranks that read the mask at
        # different moments still split the clips the same way.
        mine = [[i for i in indices if i % world_size == rank]
                for indices in missing]
        todo = sum(map(len, mine))
        print_log(
            f'TeacherStoreHook: filling {store.path}: '
            f'{sum(map(len, missing))} of {num_views * store.shape[1]} clip '
            'views to compute '
            f'({todo} on this rank)',
            logger='current')
        progress = ProgressBar(todo) if rank == 0 and todo else None
        written, start, error = 0, time.perf_counter(), None
        try:
            for view, indices in enumerate(mine):
                if not indices:
                    continue
                # The view of epoch `view` is `view`: views cycle from epoch 0.
                self._set_epoch(view)
                loader = DataLoader(
                    dataset,
                    # One clip shape per batch (multigrid).
                    batch_sampler=shape_batches(dataset, view, indices,
                                                batch_size),
                    num_workers=num_workers,
                    collate_fn=pseudo_collate,
                    # Seeds its workers without drawing from the global
                    # generator, which training draws from next.
                    generator=torch.Generator())
                for batch in loader:
                    data = model.data_preprocessor(batch, False)
                    logits = model._run_teacher(data['inputs'])[0]
                    samples = data['data_samples']
                    store.write(
                        torch.tensor([
                            int(s.metainfo.get('aug_view', 0)) for s in samples
                        ]),
                        torch.tensor(
                            [int(s.metainfo['sample_idx']) for s in samples]),
                        logits)
                    written += len(samples)
                    if progress is not None:
                        progress.update(len(samples))
                store.flush()
        except Exception as err:  # noqa: B902 (every rank must stop)
            error = err
        raise_on_every_rank(error)
        print_log(
            f'TeacherStoreHook: wrote {written} clip views on rank {rank} in '
            f'{time.perf_counter() - start:.1f} s; the store holds '
            f'{len(store)}',
            logger='current')
        return written

    # ------------------------------------------------------------ private
    def _store_args(self, runner) -> dict:
        check_epoch_loop(runner, 'TeacherStoreHook',
                         'it keys stored outputs by epoch')
        model = unwrap_model(runner)
        if not hasattr(model, 'teacher_store'):
            raise TypeError('TeacherStoreHook needs an SAKDDistiller model, '
                            f'got {type(model).__name__}')
        check_logits_only(model.kd_loss, model.interrupt_train,
                          'the teacher-output store')
        if getattr(model.data_preprocessor, 'blending', None) is not None:
            raise ValueError(
                'the teacher-output store cannot be used with batch '
                'augments (model.student.data_preprocessor.blending): they '
                'are drawn per batch, so stored outputs would belong to '
                'other inputs')
        dataset = runner.train_dataloader.dataset
        self._replays = find_in_dataset(dataset, ReplayAugmentation)
        self._epoch_wrappers = find_in_dataset(dataset, EpochDatasetWrapper)
        num_views = self._num_views(runner)
        self._set_epoch(runner.epoch)
        first = self._check_replayable(dataset)
        fingerprint = store_fingerprint(model.teacher,
                                        runner.cfg.model.get('teacher'),
                                        model.data_preprocessor,
                                        runner.cfg.train_dataloader.dataset,
                                        dataset, num_views)
        root = self.root.replace('{work_dir}', runner.work_dir)
        path = self.path or osp.join(root, fingerprint_name(fingerprint))
        return dict(
            path=path,
            fingerprint=fingerprint,
            num_views=num_views,
            num_samples=len(dataset),
            num_classes=self._num_classes(model, first),
            topk=self.topk,
            dtype=self.dtype)

    def _num_views(self, runner) -> int:
        views = {replay.num_views for replay in self._replays}
        if len(views) > 1:
            raise ValueError('the training set holds ReplayAugmentation '
                             f'wrappers with different num_views {views}')
        if not self._replays:
            return 1
        num_views = views.pop()
        return runner.max_epochs if num_views is None else num_views

    def _set_epoch(self, epoch: int) -> None:
        # The views of ReplayAugmentation, the shapes of MultigridClips.
        for wrapper in self._epoch_wrappers:
            wrapper.set_epoch(epoch)

    @staticmethod
    def _check_replayable(dataset) -> dict:
        """Clip 0 of the current epoch, drawn twice to check that the
        pipeline gives the same clip again."""
        first, again = dataset[0], dataset[0]
        if isinstance(first, dict) and 'inputs' in first and not torch.equal(
                first['inputs'], again['inputs']):
            raise ValueError(
                'the training pipeline gave two different clips for index 0 '
                'in the same epoch: it is random and not replayed, so '
                'stored teacher outputs would belong to other views. Wrap '
                "train_dataloader.dataset in dict(type='ReplayAugmentation'"
                ', dataset=...) (and make every transform draw from '
                'random, numpy.random or torch), or turn the store off')
        return first

    @staticmethod
    def _num_classes(model, sample: dict) -> int:
        data = model.data_preprocessor(pseudo_collate([sample]), False)
        return int(model._run_teacher(data['inputs'])[0].shape[1])

    def _check_stored(self, runner) -> None:
        if not self.num_checks:
            return
        self._set_epoch(runner.epoch)
        view = self._replays[0].view_of(runner.epoch) if self._replays else 0
        stored = self.store.filled(view).nonzero().flatten()
        if not len(stored):
            return
        generator = make_generator(0, runner.epoch, stream='default')
        picks = stored[torch.randperm(len(stored),
                                      generator=generator)[:self.num_checks]]
        model = unwrap_model(runner)
        dataset = runner.train_dataloader.dataset
        # One clip per forward: multigrid clips may differ in shape.
        live = torch.cat([
            model._run_teacher(
                model.data_preprocessor(
                    pseudo_collate([dataset[int(i)]]),
                    False)['inputs'])[0].float().cpu() for i in picks
        ])
        saved, _ = self.store.lookup(torch.full_like(picks, view), picks)
        if self.store.topk is not None:
            classes = saved.topk(self.store.topk, dim=1).indices
            live, saved = live.gather(1, classes), saved.gather(1, classes)
        excess = (saved - live).abs() - (self.atol + self.rtol * live.abs())
        worst = int(excess.max(dim=1).values.argmax())
        if float(excess[worst].max()) > 0:
            raise RuntimeError(
                f'the teacher-output store at {self.store.path} holds '
                f'logits for clip {int(picks[worst])} (view {view}) that '
                'differ from the live teacher by '
                f'{float((saved - live)[worst].abs().max()):.4g} (tolerance '
                f'{self.atol} + {self.rtol} * |logit|): the store is stale '
                'or damaged. Delete it and run again')
