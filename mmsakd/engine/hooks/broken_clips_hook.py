from typing import Optional

from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmsakd.datasets import SkipBrokenClips, skip_broken_collate, write_skipped
from mmsakd.registry import HOOKS
from mmsakd.utils import raise_on_every_rank


@HOOKS.register_module()
class BrokenClipsHook(Hook):
    """Skip the training clips that cannot be loaded, and say so
    (docs/get_started.md#unreadable-videos).

    With the training dataset wrapped in
    :class:`~mmsakd.datasets.SkipBrokenClips` and batches collated by
    :func:`~mmsakd.datasets.skip_broken_collate`, a clip that fails to load
    is dropped from its batch. This hook turns the skipping on, takes the
    dropped clips out of every training batch before the model sees it,
    logs each clip once with its file and annotation line, and at the end
    of every epoch:

    - shares the skipped clips of every rank with every rank, so that the
      :class:`~mmsakd.datasets.SubsetSampler` and the subset hooks
      (``SAKDHook``, ``InfoBatchHook``, ``RandomSubsetHook``) leave the same
      clips out of the next epochs on every rank;
    - writes them to ``<work_dir>/skipped_clips.txt`` (``index<TAB>reason``)
      and logs how many clips the run skips.

    The skipped clips are saved in checkpoints and restored on resume, so
    that a resumed run leaves out the same clips without logging them
    again. Validation and test sets are not skipped: an unreadable clip
    there stops the run with the clip's name (a metric over fewer clips
    than the list would mislead).

    A training batch whose clips are all unreadable, or more skipped clips
    than ``max_skip_ratio`` allows, stops the run. With several ranks, the
    ranks agree on such an error before every iteration (an all-reduce of a
    one-element flag, :func:`~mmsakd.utils.raise_on_every_rank`), so that
    every rank stops at once with the message of the rank that met it,
    instead of the others waiting in DDP's all-reduce until the timeout.

    Config::

        train_dataloader = dict(
            collate_fn=dict(type='skip_broken_collate'),
            dataset=dict(type='SkipBrokenClips', dataset=dict(...)))
        custom_hooks = [dict(type='BrokenClipsHook')]
    """

    # Before every other hook: the skipped clips leave the batch before any
    # hook reads it, and are shared before the checkpoint is saved.
    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        loader = runner.train_dataloader
        if not isinstance(loader.dataset, SkipBrokenClips):
            raise TypeError(
                "BrokenClipsHook needs train_dataloader.dataset=dict(type="
                "'SkipBrokenClips', dataset=...), got "
                f'{type(loader.dataset).__name__}')
        collate_fn = getattr(loader.collate_fn, 'func', loader.collate_fn)
        if collate_fn is not skip_broken_collate:
            raise TypeError(
                'BrokenClipsHook needs train_dataloader.collate_fn=dict('
                "type='skip_broken_collate'), got "
                f'{getattr(collate_fn, "__name__", collate_fn)}')
        loader.dataset.enable_skipping()

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        error = None
        try:
            self._drop_skipped(runner, batch_idx, data_batch)
        except Exception as err:
            error = err
        # Every rank, every iteration: a rank that raised alone would leave
        # the others waiting in the model's collectives.
        raise_on_every_rank(error)

    def _drop_skipped(self, runner, batch_idx: int,
                      data_batch: Optional[dict]) -> None:
        skipped = data_batch.pop('skipped', None)
        if not skipped:
            return
        dataset = runner.train_dataloader.dataset
        dataset.report(skipped, f'training epoch {runner.epoch}')
        if 'inputs' not in data_batch:
            raise RuntimeError(
                f'every clip of training batch {batch_idx} of epoch '
                f'{runner.epoch} is unreadable ({len(skipped)} clips, e.g. '
                f'{skipped[0][1]}); SkipBrokenClips needs one readable clip '
                'per batch: clean the list with tools/data/check_videos.py '
                '--out')

    def after_train_epoch(self, runner) -> None:
        dataset = runner.train_dataloader.dataset
        dataset.sync(f'training epoch {runner.epoch}')
        num = len(dataset.skipped)
        runner.message_hub.update_scalar('train/skipped_clips', num)
        if not num:
            return
        write_skipped(dataset, runner.work_dir)
        print_log(
            f'{num} of the {len(dataset)} training clips are unreadable and '
            f'skipped; listed in {runner.work_dir}/skipped_clips.txt',
            logger='current')

    # ---------------------------------------------------------- checkpoint
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['skipped_clips'] = dict(
            runner.train_dataloader.dataset.skipped)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        skipped = checkpoint.get('skipped_clips')
        if skipped is None or not runner._resume:
            return
        runner.train_dataloader.dataset.skipped = {
            int(index): reason
            for index, reason in skipped.items()
        }
