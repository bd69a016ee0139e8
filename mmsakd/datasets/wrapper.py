"""The part every dataset wrapper of mmsakd shares: building the wrapped
dataset from its config and passing its annotations through."""
import copy
from typing import Optional, Tuple, Union

import torch
from mmengine.dataset import BaseDataset

from mmsakd.registry import DATASETS
from mmsakd.selection import check_bool, check_int


class DatasetWrapper:
    """A dataset wrapper that keeps the wrapped dataset's indices, length,
    meta information and annotations, as MMEngine's wrappers do; subclasses
    change what ``__getitem__`` returns.

    MMEngine's own wrappers (``ConcatDataset``, ``RepeatDataset``,
    ``ClassBalancedDataset``) change the indices, which per-sample state
    keyed by dataset index cannot follow.

    Args:
        dataset (dict | Dataset): The dataset, or its config.
        lazy_init (bool): Leave the wrapped dataset's annotation loading to
            :meth:`full_init`. Defaults to False.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 lazy_init: bool = False) -> None:
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        elif not hasattr(dataset, '__getitem__'):
            raise TypeError('dataset must be a dataset or its config dict, '
                            f'got {type(dataset).__name__}')
        check_bool('lazy_init', lazy_init)
        self.dataset = dataset
        self._lazy_init = lazy_init

    def _init_unless_lazy(self) -> None:
        """Call at the end of a subclass's ``__init__``."""
        if not self._lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """dict: The wrapped dataset's meta information."""
        return copy.deepcopy(self.dataset.metainfo)

    def full_init(self) -> None:
        """Load the wrapped dataset's annotations."""
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()

    def get_data_info(self, idx: int) -> dict:
        """The wrapped dataset's annotation of clip ``idx``."""
        return self.dataset.get_data_info(idx)

    def __len__(self) -> int:
        return len(self.dataset)


class EpochDatasetWrapper(DatasetWrapper):
    """A :class:`DatasetWrapper` whose clips depend on the training epoch,
    which :meth:`set_epoch` sets in the main process.

    The epoch lives in a small shared-memory tensor, which dataloader
    workers inherit (fork) or receive by handle (spawn), so a
    :meth:`set_epoch` in the main process reaches every worker, persistent
    ones included, without rebuilding the loader. Its arguments are
    :class:`DatasetWrapper`'s.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The epoch, -1 until set.
        self._epoch = torch.full((1, ), -1, dtype=torch.int64).share_memory_()

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        # A deep copy gets its own epoch tensor: in shared memory too.
        self._epoch.share_memory_()

    @property
    def epoch(self) -> Optional[int]:
        """int, optional: The epoch set by :meth:`set_epoch`; None before."""
        epoch = int(self._epoch[0])
        return None if epoch < 0 else epoch

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch of the next clips loaded.

        Args:
            epoch (int): The 0-based epoch, >= 0.
        """
        check_int('epoch', epoch, 0)
        self._epoch[0] = epoch

    def epoch_and_index(self, idx: int, hook: str) -> Tuple[int, int]:
        """The current epoch and ``idx`` counted from 0, for loading clip
        ``idx``.

        Args:
            idx (int): The index, negative from the end.
            hook (str): The hook that sets the epoch, named in the error
                raised before any epoch is set.

        Returns:
            tuple[int, int]: The epoch and the index.
        """
        epoch = self.epoch
        if epoch is None:
            raise RuntimeError(
                f'{type(self).__name__} has no epoch: add '
                f"dict(type='{hook}') to the config's custom_hooks, or call "
                'set_epoch(epoch) before loading')
        idx = int(idx)
        return epoch, idx + len(self) if idx < 0 else idx

    def in_test_mode(self) -> bool:
        """Whether the innermost dataset is in test mode (deterministic
        pipeline, as SAKD's scoring pass builds it)."""
        return bool(
            getattr(innermost_dataset(self.dataset), 'test_mode', False))


def innermost_dataset(dataset) -> object:
    """The dataset inside nested single-dataset wrappers.

    Args:
        dataset: A dataset, possibly wrapped.

    Returns:
        The first object down the ``dataset`` attributes that has none.
    """
    while hasattr(dataset, 'dataset'):
        dataset = dataset.dataset
    return dataset
