import logging
from typing import List

from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmsakd.datasets import ReplayAugmentation
from mmsakd.registry import HOOKS
from .dropout_shuffle_hook import find_in_dataset
from .utils import check_epoch_loop


@HOOKS.register_module()
class ReplayAugmentationHook(Hook):
    """Load each training epoch's clips in that epoch's view
    (docs/method.md#replayable-augmentation).

    Before training and before each training epoch it calls
    ``set_epoch(runner.epoch)`` on every
    :class:`~mmsakd.datasets.ReplayAugmentation` of the training dataset,
    also through dataset wrappers. The wrapper keeps its epoch in shared
    memory, so the dataloader workers see it, persistent ones included;
    each rank's hook sets its own rank's wrappers. ``before_train_epoch``
    runs before the epoch's loader starts loading, whatever the hook's
    priority.

    A view is an epoch, so the hook needs an epoch-based train loop and
    refuses any other.

    Example::

        custom_hooks = [dict(type='ReplayAugmentationHook')]
    """

    def __init__(self) -> None:
        self._wrappers: List[ReplayAugmentation] = []

    def before_train(self, runner) -> None:
        check_epoch_loop(runner, 'ReplayAugmentationHook',
                         'a view of the clips is an epoch')
        self._wrappers = find_in_dataset(runner.train_dataloader.dataset,
                                         ReplayAugmentation)
        if not self._wrappers:
            print_log(
                'ReplayAugmentationHook found no ReplayAugmentation in the '
                'training dataset; it does nothing',
                logger='current',
                level=logging.WARNING)
        self._set_epoch(runner.epoch)

    def before_train_epoch(self, runner) -> None:
        self._set_epoch(runner.epoch)

    def _set_epoch(self, epoch: int) -> None:
        for wrapper in self._wrappers:
            wrapper.set_epoch(epoch)
