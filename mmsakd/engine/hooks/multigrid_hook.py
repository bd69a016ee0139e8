from typing import List, Optional

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmsakd.datasets import MultigridClips, ReplayAugmentation
from mmsakd.datasets.samplers import MultigridBatchSampler
from mmsakd.registry import HOOKS
from mmsakd.selection.checks import check_choice
from .dropout_shuffle_hook import find_in_dataset
from .infobatch_hook import InfoBatchHook
from .random_subset_hook import RandomSubsetHook
from .sakd_hook import SAKDHook
from .schedulers import plan_iter_schedulers
from .teacher_store_hook import TeacherStoreHook
from .utils import check_epoch_loop, fix_max_iters, unwrap_model

#: Hooks that change the training subset: the length of an epoch is then
#: theirs to plan.
_SUBSET_HOOKS = (SAKDHook, InfoBatchHook, RandomSubsetHook)


@HOOKS.register_module()
class MultigridHook(Hook):
    """Train with the multigrid schedule of the training set's
    :class:`~mmsakd.datasets.MultigridClips` (docs/method.md#multigrid-kd).

    It sets the wrappers' epoch before training and before each epoch (the
    clips' shapes), scales the learning rate of every parameter group for
    each optimizer step by the epoch's
    :meth:`~mmsakd.datasets.MultigridSchedule.lr_factor` (the long cycle's
    batch over the base batch), or its square root, and restores the
    scheduled value after the step, so that the parameter schedulers and
    checkpoints see the unscaled values; the factor is logged as
    ``multigrid_lr_factor``. Schedulers converted to iterations
    are sized from the planned epoch lengths (refused with a hook that
    trains on subsets, whose lengths are not known in advance).

    The training loader must batch through a
    :class:`~mmsakd.datasets.samplers.MultigridBatchSampler` over a
    :class:`~mmsakd.datasets.samplers.SubsetSampler`. Every rank builds the
    same global batches, so N ranks train as one rank with an N times
    larger batch. Resuming is exact: the shapes, batches and factors are
    functions of the epoch.

    Example::

        train_dataloader = dict(
            batch_sampler=dict(type='MultigridBatchSampler'),
            sampler=dict(type='SubsetSampler', shuffle=True),
            dataset=dict(type='MultigridClips', dataset=...))
        custom_hooks = [dict(type='MultigridHook')]

    Args:
        lr_scaling (str): How the learning rate follows the batch size:
            ``'linear'`` (SGD's linear scaling rule, as Wu et al.),
            ``'sqrt'`` (the square-root rule for Adam-type optimizers,
            Malladi et al., NeurIPS 2022) or ``'none'``. Defaults to
            'linear'.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, lr_scaling: str = 'linear') -> None:
        check_choice('lr_scaling', lr_scaling, ('linear', 'sqrt', 'none'))
        self.lr_scaling = lr_scaling
        self._clips: List[MultigridClips] = []
        self._batch_sampler: Optional[MultigridBatchSampler] = None
        self._plan: Optional[List[int]] = None
        self._scheduled: Optional[List[float]] = None

    def before_run(self, runner) -> None:
        self._batch_sampler = self._check_loader(runner)
        self._clips = find_in_dataset(runner.train_dataloader.dataset,
                                      MultigridClips)
        subset_hooks = [
            type(h).__name__ for h in runner.hooks
            if isinstance(h, _SUBSET_HOOKS)
        ]
        if subset_hooks:
            self._plan = None
            schedulers = runner.cfg.get('param_scheduler') or []
            if isinstance(schedulers, dict):
                schedulers = [schedulers]
            for i, cfg in enumerate(schedulers):
                if cfg.get('convert_to_iter_based', False):
                    raise ValueError(
                        f'param_scheduler[{i}] ({cfg.get("type")}) has '
                        'convert_to_iter_based=True, which MultigridHook '
                        'cannot size while '
                        f'{", ".join(subset_hooks)} changes the subset; '
                        'use by-epoch schedulers')
            return
        self._plan = [
            self._batch_sampler.planned_batches(epoch)
            for epoch in range(runner.max_epochs)
        ]
        # Before the resume, which restores the rebuilt schedulers' state.
        plan_iter_schedulers(runner, self._plan, 'MultigridHook')

    def _check_loader(self, runner) -> MultigridBatchSampler:
        check_epoch_loop(runner, 'MultigridHook',
                         'the clip shapes change with the epoch')
        batch_sampler = runner.train_dataloader.batch_sampler
        if not isinstance(batch_sampler, MultigridBatchSampler):
            raise TypeError(
                'MultigridHook needs train_dataloader.batch_sampler='
                "dict(type='MultigridBatchSampler'), got "
                f'{type(batch_sampler).__name__}')
        return batch_sampler

    def before_train(self, runner) -> None:
        self._check_frames(runner)
        self._check_store_views(runner)
        self._set_epoch(runner)

    def _check_frames(self, runner) -> None:
        """Every planned clip length must divide by the temporal stride
        (``resample_rate``) of each network's backbone, or a SlowFast's slow
        pathway would get no frame or misaligned ones."""
        model = unwrap_model(runner)
        strides = {
            name:
            int(
                getattr(getattr(net, 'backbone', None), 'resample_rate', 1)
                or 1)
            for name, net in (('student', getattr(model, 'student', model)),
                              ('teacher', getattr(model, 'teacher', None)))
            if net is not None
        }
        for clips in self._clips:
            frames = {
                clips.clip_shape(epoch, idx)[0]
                for epoch in range(runner.max_epochs)
                for idx in self._first_of_each_code(clips, epoch)
            }
            for name, stride in strides.items():
                bad = sorted(f for f in frames if f % stride)
                if bad:
                    raise ValueError(
                        f'MultigridClips plans clips of {bad} frames, but '
                        f'the {name} backbone takes every {stride}-th frame '
                        '(resample_rate): set '
                        f'train_dataloader.dataset.frame_divisor={stride} '
                        '(or a multiple)')

    @staticmethod
    def _first_of_each_code(clips: MultigridClips, epoch: int) -> List[int]:
        codes = clips.codes(epoch)
        return [
            int((codes == code).nonzero()[0])
            for code in codes.unique().tolist()
        ]

    def _check_store_views(self, runner) -> None:
        """With stored teacher outputs per view and ``num_views``, epochs of
        one view must load a clip in one shape."""
        if not any(isinstance(h, TeacherStoreHook) for h in runner.hooks):
            return
        dataset = runner.train_dataloader.dataset
        for replay in find_in_dataset(dataset, ReplayAugmentation):
            if replay.num_views is None:
                continue
            for clips in self._clips:
                first = {}
                for epoch in range(runner.max_epochs):
                    view = replay.view_of(epoch)
                    if view not in first:
                        first[view] = epoch
                        continue
                    other = first[view]
                    schedule = clips.schedule
                    same = schedule.long_factors(epoch) == \
                        schedule.long_factors(other) and torch.equal(
                            schedule.codes(epoch, len(clips)),
                            schedule.codes(other, len(clips)))
                    if not same:
                        raise ValueError(
                            f'ReplayAugmentation(num_views={replay.num_views}'
                            f') makes epochs {other} and {epoch} one view '
                            'of the teacher-output store, but '
                            'MultigridClips loads them in other shapes; '
                            'set num_views=None with multigrid')

    def before_train_epoch(self, runner) -> None:
        self._set_epoch(runner)

    def _set_epoch(self, runner) -> None:
        # Also without DistSamplerSeedHook: the batches follow the epoch.
        self._batch_sampler.sampler.set_epoch(runner.epoch)
        for clips in self._clips:
            clips.set_epoch(runner.epoch)
        fix_max_iters(runner, self._plan)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        if batch_idx == 0 and self._clips:
            # Here, not before the epoch: a subset hook may set the epoch's
            # subset after this hook's before_train_epoch.
            shapes = self._clips[0].schedule.describe(
                runner.epoch, self._batch_sampler.batch_size)
            print_log(
                f'MultigridHook: epoch {runner.epoch}: {shapes}, '
                f'{len(self._batch_sampler)} iterations',
                logger='current')
        factor = self._lr_factor(runner)
        runner.message_hub.update_scalar('train/multigrid_lr_factor', factor)
        groups = runner.optim_wrapper.param_groups
        self._scheduled = [group['lr'] for group in groups]
        for group in groups:
            group['lr'] = group['lr'] * factor

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if self._scheduled is None:
            return
        # The values the schedulers set, exactly: no division round-off.
        for group, lr in zip(runner.optim_wrapper.param_groups,
                             self._scheduled):
            group['lr'] = lr
        self._scheduled = None

    def _lr_factor(self, runner) -> float:
        if not self._clips:
            return 1.0
        batch = self._batch_sampler.batch_size
        factor = self._clips[0].schedule.lr_factor(runner.epoch, batch)
        return dict(linear=factor, sqrt=factor**0.5, none=1.0)[self.lr_scaling]
