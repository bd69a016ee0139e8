import logging
from typing import List, Tuple, Union

from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmsakd.datasets.transforms import DropoutShuffle
from mmsakd.registry import HOOKS

#: Attributes through which datasets, dataset wrappers and composed
#: transforms hold their parts (mmengine's ConcatDataset, RepeatDataset,
#: ClassBalancedDataset and Compose, torch's Subset and ConcatDataset,
#: mmcv's RandomChoice and KeyMapper).
_CHILDREN = ('dataset', 'datasets', 'pipeline', 'transforms')


def find_in_dataset(dataset, cls: Union[type, Tuple[type, ...]]) -> list:
    """Every instance of ``cls`` in ``dataset``: the dataset itself, the
    datasets it wraps and their pipelines, also through dataset wrappers
    and nested transforms.

    Args:
        dataset: A dataset, possibly wrapped.
        cls (type | tuple[type]): What to find.

    Returns:
        list: In the order found (outer first), each once.
    """
    found, seen = [], set()

    def visit(obj) -> None:
        if id(obj) in seen or obj is None or isinstance(obj, (str, dict)):
            return
        seen.add(id(obj))
        if isinstance(obj, cls):
            found.append(obj)
        if isinstance(obj, (list, tuple)):
            for item in obj:
                visit(item)
            return
        for name in _CHILDREN:
            visit(getattr(obj, name, None))

    visit(dataset)
    return found


def find_dropout_shuffles(dataset) -> List[DropoutShuffle]:
    """Every :class:`DropoutShuffle` in the pipelines of ``dataset``, also
    through dataset wrappers and nested transforms.

    Args:
        dataset: A dataset, possibly wrapped.

    Returns:
        list[DropoutShuffle]: In the order found, each once.
    """
    return find_in_dataset(dataset, DropoutShuffle)


@HOOKS.register_module()
class DropoutShuffleHook(Hook):
    """Make every :class:`~mmsakd.datasets.transforms.DropoutShuffle` of the
    training pipeline follow the epoch's interruption rate ``beta(n)``
    (Eq. 4, docs/method.md#dropout-shuffle-interruption).

    Before each training epoch it calls ``set_epoch(runner.epoch)`` on each
    of them, after setting ``max_epochs`` to the runner's where the
    transform has none. The transform keeps its epoch in shared memory, so
    the dataloader workers see it, persistent ones included; each rank's
    hook sets its own rank's transforms. ``before_train_epoch`` runs before
    the epoch's loader starts loading, whatever the hook's priority.

    Example::

        default_hooks = dict(dropout_shuffle=dict(type='DropoutShuffleHook'))
    """

    def __init__(self) -> None:
        self._transforms: List[DropoutShuffle] = []

    def before_train(self, runner) -> None:
        self._transforms = find_dropout_shuffles(
            runner.train_dataloader.dataset)
        if not self._transforms:
            print_log(
                'DropoutShuffleHook found no DropoutShuffle in the training '
                'pipeline; it does nothing',
                logger='current',
                level=logging.WARNING)
        for transform in self._transforms:
            if transform.rate is None and transform.max_epochs is None:
                transform.max_epochs = runner.max_epochs

    def before_train_epoch(self, runner) -> None:
        for transform in self._transforms:
            transform.set_epoch(runner.epoch)
