import os.path as osp
import time
from typing import Dict, List, Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmsakd.registry import HOOKS
from mmsakd.selection import check_file_name
from mmsakd.utils import append_json_line


@HOOKS.register_module()
class TrainTimeHook(Hook):
    """Measure the training time of each epoch and pair it with the
    validation metrics that follow, for accuracy-vs-time comparisons.

    The time of an epoch runs from the start of ``before_train_epoch`` to
    the end of the epoch's last iteration (the hook has the highest
    priority, so it runs first in both stages): it includes SAKD's scoring
    and selection round and the epoch's data loading, and excludes
    validation and checkpoint saving. MMEngine's
    :class:`~mmengine.hooks.IterTimerHook` times iterations only, which
    misses the scoring pass that ``before_train_epoch`` runs.

    The part of it spent waiting for training batches is summed from the
    ``train/data_time`` that :class:`~mmengine.hooks.IterTimerHook` records
    before each iteration (scoring passes load their own data and are not
    included). As in MMEngine's own logs, that is the time from the end of
    IterTimerHook's ``after_train_iter`` to the next ``before_train_iter``,
    so it also holds the hooks that run after IterTimerHook between
    iterations (logging, checkpoints), which are short next to a batch.

    After each validation one JSON line is appended to
    ``<work_dir>/<log_file>``: ``epoch`` (1-based, as in the logs),
    ``epoch_time`` and cumulative ``train_time``, ``epoch_data_time`` and
    cumulative ``data_time``, in seconds, ``epoch_iters`` (the epoch's
    training iterations on this rank), and the validation metrics
    (``acc/top1`` ... as numbers). Every epoch prints a
    progress line with the cumulative time and an estimate of the time
    left. The cumulative time is saved in checkpoints, so a resumed run
    continues the count.

    Args:
        log_file (str): File name, in the work dir, of the JSON lines.
            Defaults to 'train_time.jsonl'.
        run_name (str, optional): Shown in the progress lines.
            Defaults to None.
    """

    priority = 'HIGHEST'

    def __init__(self,
                 log_file: str = 'train_time.jsonl',
                 run_name: Optional[str] = None) -> None:
        check_file_name('log_file', log_file)
        self.log_file = log_file
        self.run_name = run_name
        self.epoch_times: List[float] = []
        self.epoch_data_times: List[float] = []
        self._start: Optional[float] = None
        self._data_time = 0.
        self._iters = 0
        self._pending: Optional[Dict] = None

    @property
    def train_time(self) -> float:
        """Cumulative training time in seconds."""
        return sum(self.epoch_times)

    @property
    def data_time(self) -> float:
        """Cumulative time spent waiting for training batches, seconds."""
        return sum(self.epoch_data_times)

    def before_train_epoch(self, runner) -> None:
        self._start = time.perf_counter()
        self._data_time = 0.
        self._iters = 0

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        self._iters += 1
        if 'train/data_time' in runner.message_hub.log_scalars:
            self._data_time += float(
                runner.message_hub.get_scalar('train/data_time').current())

    def after_train_epoch(self, runner) -> None:
        if self._start is None:
            return
        seconds = time.perf_counter() - self._start
        self._start = None
        self.epoch_times.append(seconds)
        self.epoch_data_times.append(self._data_time)
        epoch = runner.epoch + 1  # runner.epoch is incremented after hooks
        done = len(self.epoch_times)
        remaining = runner.max_epochs - epoch
        eta = remaining * self.train_time / done
        name = f'{self.run_name}: ' if self.run_name else ''
        print_log(
            f'{name}epoch {epoch}/{runner.max_epochs} trained in '
            f'{seconds:.1f}s (total {self.train_time:.1f}s, about '
            f'{eta:.0f}s of training left)',
            logger='current')
        runner.message_hub.update_scalar('train/epoch_time', seconds)
        self._pending = dict(
            epoch=epoch,
            epoch_time=round(seconds, 3),
            train_time=round(self.train_time, 3),
            epoch_data_time=round(self._data_time, 3),
            data_time=round(self.data_time, 3),
            epoch_iters=self._iters)
        # Epochs without validation are written right away.
        if not self._validates(runner, epoch):
            self._write(runner, self._pending)
            self._pending = None

    def after_val_epoch(self, runner, metrics: Optional[Dict] = None) -> None:
        if self._pending is None:
            return
        record = dict(self._pending)
        for key, value in (metrics or {}).items():
            if isinstance(value, (int, float)):
                record[key] = float(value)
        self._write(runner, record)
        self._pending = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['train_time'] = dict(
            train_time=self.train_time,
            epoch_times=list(self.epoch_times),
            epoch_data_times=list(self.epoch_data_times))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('train_time')
        if state is None or not runner._resume:
            return
        self.epoch_times = [float(t) for t in state['epoch_times']]
        # Checkpoints written before data times were kept count none.
        self.epoch_data_times = [
            float(t) for t in state.get('epoch_data_times', [0.] *
                                        len(self.epoch_times))
        ]

    @staticmethod
    def _validates(runner, epoch: int) -> bool:
        loop = runner.train_loop
        if runner.val_loop is None:
            return False
        begin = getattr(loop, 'val_begin', 1)
        interval = getattr(loop, 'val_interval', 1)
        return epoch >= begin and (epoch % interval == 0
                                   or epoch == runner.max_epochs)

    def _write(self, runner, record: Dict) -> None:
        if is_main_process():
            append_json_line(osp.join(runner.work_dir, self.log_file), record)
