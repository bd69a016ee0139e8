"""Skip the training clips that cannot be loaded, instead of stopping the
run (docs/get_started.md#unreadable-videos)."""
import logging
import os
import os.path as osp
from typing import Dict, Iterable, List, NamedTuple, Sequence, Union

import torch
from mmengine.dataset import BaseDataset, pseudo_collate
from mmengine.dist import all_gather_object, get_dist_info, is_main_process
from mmengine.logging import print_log
from mmengine.registry import FUNCTIONS
from torch import Tensor

from mmsakd.registry import DATASETS
from mmsakd.selection.checks import check_range
from .clip_errors import ClipLoadError
from .wrapper import DatasetWrapper

#: How a :class:`ClipLoadError` message starts (``clip_errors.py``).
_PREFIX = 'cannot load '


class SkippedClip(NamedTuple):
    """What :class:`SkipBrokenClips` returns for a clip it skips: its
    dataset index and the first line of its :class:`ClipLoadError` (``clip
    17 of VideoDataset (train.txt, line 18): /data/a.mp4: RuntimeError:
    ...``)."""
    index: int
    reason: str


@DATASETS.register_module()
class SkipBrokenClips(DatasetWrapper):
    """A dataset wrapper that drops the clips which fail to load.

    A clip whose loading raises :class:`ClipLoadError` (a missing, truncated
    or undecodable video; MMAction2's datasets raise it through
    :func:`mmsakd.datasets.patch_clip_errors`) comes out as a
    :class:`SkippedClip` marker, which :func:`skip_broken_collate` removes
    from its batch: the batch is one clip shorter, and no other clip takes
    its place (a random substitute, as MMEngine's ``BaseDataset`` refetch
    does, would make the run depend on when the clip failed).

    The indices stay those of the wrapped dataset, so per-sample state
    (SAKD's, the InfoBatch-style baseline's, the teacher cache) keeps its
    size. The main process collects the skipped clips with
    :meth:`report` (:class:`~mmsakd.engine.hooks.BrokenClipsHook` for the
    training batches, :class:`~mmsakd.engine.hooks.SAKDHook` for its scoring
    pass), logs each once with its file and annotation line, and the subset
    hooks leave them out of every later subset (:meth:`skipped_mask`).

    Skipping is off until a consumer turns it on (:meth:`enable_skipping`)
    in the main process before the loader's workers start: without one, the
    :class:`ClipLoadError` is raised as usual, so that a skipped clip is
    never dropped unseen (validation and test sets keep failing on an
    unreadable clip, so that a metric never covers fewer clips than the
    list).

    MMEngine's wrappers lack this: ``ClassBalancedDataset`` and
    ``RepeatDataset`` change the indices, and ``BaseDataset`` replaces a
    failed clip by a random one.

    Args:
        dataset (dict | Dataset): The dataset, or its config.
        max_skip_ratio (float): Largest share of the clips that may be
            skipped, in [0, 1]; beyond it the run stops, since a broken
            pipeline or data prefix, not a few bad files, makes every clip
            fail. Defaults to 0.01.
        lazy_init (bool): Leave the wrapped dataset's annotation loading to
            :meth:`full_init`. Defaults to False.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 max_skip_ratio: float = 0.01,
                 lazy_init: bool = False) -> None:
        super().__init__(dataset, lazy_init)
        check_range('max_skip_ratio', max_skip_ratio, 0, 1)
        self.max_skip_ratio = float(max_skip_ratio)
        #: The skipped clips known to this process: index -> reason.
        self.skipped: Dict[int, str] = dict()
        self.skipping = False
        self._init_unless_lazy()

    def __getitem__(self, idx: int) -> Union[dict, SkippedClip]:
        try:
            return self.dataset[idx]
        except ClipLoadError as err:
            if not self.skipping:
                raise
            reason = str(err).split('\n')[0]
            if reason.startswith(_PREFIX):
                reason = reason[len(_PREFIX):]
            return SkippedClip(int(idx), reason)

    # ------------------------------------------------------------ skipping
    def enable_skipping(self) -> None:
        """Turn skipping on; call it in the main process before the
        loader's workers start, where the markers will be collected."""
        self.skipping = True

    def report(self, clips: Iterable, where: str = '') -> List[int]:
        """Record skipped clips; log each new one once (main process).

        Args:
            clips (Iterable): :class:`SkippedClip` or ``(index, reason)``
                pairs.
            where (str): Where they were found, for the log (e.g.
                ``'training epoch 3'``). Defaults to ''.

        Returns:
            list[int]: The indices not recorded before, ascending.

        Raises:
            RuntimeError: More than ``max_skip_ratio`` of the clips are
                skipped. It is raised on the calling rank only: a caller on
                one rank shares it with the others
                (:func:`mmsakd.utils.raise_on_every_rank`, as
                :class:`~mmsakd.engine.hooks.BrokenClipsHook` does).
                :meth:`sync`, and a report of the same clips on ranks that
                knew the same skipped clips, raise alike on every rank.
        """
        new = dict()
        for index, reason in clips:
            index = int(index)
            if index not in self.skipped:
                new[index] = reason
        for index in sorted(new):
            self.skipped[index] = new[index]
            print_log(
                f'Skipped unreadable {new[index]}'
                f'{f" (in {where})" if where else ""}; it is left out of '
                'training from now on',
                logger='current',
                level=logging.WARNING)
        limit = self.max_skip_ratio * len(self)
        if len(self.skipped) > limit:
            first = self.skipped[min(self.skipped)]
            raise RuntimeError(
                f'{len(self.skipped)} of the {len(self)} clips could not be '
                f'loaded, more than max_skip_ratio={self.max_skip_ratio} '
                f'allows; the first: {first}. A wrong data prefix or pipeline '
                'makes every clip fail; fix it, or clean the list with '
                'tools/data/check_videos.py (--out writes the readable '
                'clips)')
        return sorted(new)

    def sync(self, where: str = '') -> List[int]:
        """Share the skipped clips of every rank with every rank.

        A collective: every rank calls it at the same point.

        Args:
            where (str): Where they were found, for the log.
                Defaults to ''.

        Returns:
            list[int]: The indices this rank had not recorded, ascending.
        """
        if get_dist_info()[1] == 1:
            return []
        parts = all_gather_object(sorted(self.skipped.items()))
        return self.report((pair for part in parts for pair in part), where)

    def skipped_mask(self) -> Tensor:
        """``(N,)`` bool: which clips are skipped."""
        mask = torch.zeros(len(self), dtype=torch.bool)
        if self.skipped:
            mask[torch.tensor(sorted(self.skipped))] = True
        return mask


def skipped_mask(dataset) -> Tensor:
    """``(N,)`` bool: the clips of ``dataset`` known to be skipped; all
    False unless it is a :class:`SkipBrokenClips`.

    Args:
        dataset: A dataset.

    Returns:
        Tensor: The mask.
    """
    if isinstance(dataset, SkipBrokenClips):
        return dataset.skipped_mask()
    return torch.zeros(len(dataset), dtype=torch.bool)


def write_skipped(dataset: SkipBrokenClips, work_dir: str) -> None:
    """Write the skipped clips to ``<work_dir>/skipped_clips.txt``, one
    ``index<TAB>reason`` line each, replacing the file atomically (main
    process).

    Args:
        dataset (SkipBrokenClips): The training dataset.
        work_dir (str): The run's work dir.
    """
    if not is_main_process() or not dataset.skipped:
        return
    path = osp.join(work_dir, 'skipped_clips.txt')
    with open(path + '.tmp', 'w') as f:
        for index in sorted(dataset.skipped):
            f.write(f'{index}\t{dataset.skipped[index]}\n')
    os.replace(path + '.tmp', path)


# In MMEngine's root registry, where ``Runner.build_dataloader`` looks a
# ``collate_fn`` type up (it does not search the scopes of plugins).
@FUNCTIONS.register_module()
def skip_broken_collate(data_batch: Sequence) -> dict:
    """``pseudo_collate`` of the loaded clips of a batch; the
    :class:`SkippedClip` markers go to the key ``'skipped'`` as
    ``(index, reason)`` pairs.

    A batch without markers is collated exactly as ``pseudo_collate`` does;
    a batch of markers only has no ``inputs``.

    Args:
        data_batch (Sequence): The items of a batch.

    Returns:
        dict: The collated batch.
    """
    skipped = [tuple(d) for d in data_batch if isinstance(d, SkippedClip)]
    kept = [d for d in data_batch if not isinstance(d, SkippedClip)]
    batch = pseudo_collate(kept) if kept else dict()
    if skipped:
        batch['skipped'] = skipped
    return batch
