"""The part every dataset wrapper of mmsakd shares: building the wrapped
dataset from its config and passing its annotations through."""
import copy
from typing import Union

from mmengine.dataset import BaseDataset

from mmsakd.registry import DATASETS
from mmsakd.selection import check_bool


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
