"""TrainTimeHook in real (tiny) Runner runs: one JSON line per epoch,
metrics of validated epochs, what the epoch time includes, resume."""
import json
import os.path as osp
import time
import uuid

import pytest
import torch
from helpers import REPO_ROOT, tiny_cfg_options
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from stop_hook import StopAfterEpochHook

from mmsakd.engine.hooks import TrainTimeHook

STUDENT_CFG = 'configs/synthetic/slowfast_tiny_student_synthetic.py'
SLEEP = 0.3
DATA_SLEEP = 0.05


class SleepBeforeEpochHook(Hook):
    """Work in ``before_train_epoch`` after TrainTimeHook's start (as
    SAKD's scoring round)."""
    priority = 'LOW'

    def before_train_epoch(self, runner):
        time.sleep(SLEEP)


class SlowValidationProbe(Hook):
    """Sleeps after each validation, then records when validation ended
    and the metrics the Runner published."""
    priority = 'LOWEST'

    def __init__(self):
        self.val_end = {}  # epoch -> perf_counter after the val sleep
        self.train_end = {}  # epoch -> perf_counter after train hooks
        self.hub_top1 = {}  # epoch -> message hub's val/acc/top1
        self.metrics = {}

    def after_train_epoch(self, runner):
        self.train_end[runner.epoch + 1] = time.perf_counter()

    def after_val_epoch(self, runner, metrics=None):
        time.sleep(SLEEP)
        epoch = runner.epoch  # incremented after the train epoch
        self.hub_top1[epoch] = runner.message_hub.get_scalar(
            'val/acc/top1').current()
        self.metrics[epoch] = dict(metrics)
        self.val_end[epoch] = time.perf_counter()


class SlowDataProbe(Hook):
    """Sleeps before each training iteration ahead of IterTimerHook
    (NORMAL), as a slow dataloader would, and records the data times the
    message hub gets."""
    priority = 'ABOVE_NORMAL'

    def __init__(self):
        self.data_times = {}  # epoch -> list of train/data_time

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        time.sleep(DATA_SLEEP)

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None):
        self.data_times.setdefault(runner.epoch + 1, []).append(
            runner.message_hub.get_scalar('train/data_time').current())


def _cfg(data_root, work_dir, max_epochs, val_interval=1):
    cfg = Config.fromfile(osp.join(REPO_ROOT, STUDENT_CFG))
    cfg.merge_from_dict(tiny_cfg_options(data_root, max_epochs=max_epochs))
    cfg.train_cfg.val_interval = val_interval
    cfg.default_hooks.checkpoint.save_best = None
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'train_time_{uuid.uuid4().hex}'
    cfg.default_hooks.train_time = dict(type='TrainTimeHook', run_name='tiny')
    return cfg


def _records(work_dir):
    with open(osp.join(work_dir, 'train_time.jsonl')) as f:
        return [json.loads(line) for line in f if line.strip()]


def test_records_times_and_metrics(tiny_data_root, tmp_path):
    # 3 epochs, validation every 2: epochs 2 and 3 (the last) validate.
    runner = Runner.from_cfg(
        _cfg(tiny_data_root, tmp_path, max_epochs=3, val_interval=2))
    probe = SlowValidationProbe()
    runner.register_hook(SleepBeforeEpochHook())
    runner.register_hook(probe)
    hook = next(h for h in runner.hooks if isinstance(h, TrainTimeHook))
    runner.train()

    records = _records(tmp_path)
    assert [r['epoch'] for r in records] == [1, 2, 3]
    running = 0.
    for record in records:
        running += record['epoch_time']
        assert record['train_time'] == pytest.approx(running, abs=5e-3)
        # before_train_epoch work of lower-priority hooks is included.
        assert record['epoch_time'] >= SLEEP
    assert hook.train_time == pytest.approx(
        records[-1]['train_time'], abs=1e-3)
    assert len(hook.epoch_times) == 3

    # The unvalidated epoch has no metric; the others carry the Runner's.
    assert not any(k.startswith('acc/') for k in records[0])
    assert sorted(probe.hub_top1) == [2, 3]
    for record in records[1:]:
        epoch = record['epoch']
        assert record['acc/top1'] == pytest.approx(probe.hub_top1[epoch])
        assert record['acc/top1'] == pytest.approx(
            probe.metrics[epoch]['acc/top1'])
        assert 0 <= record['acc/top5'] <= 1

    # Validation (slowed down by the probe) is not training time: epoch 3
    # starts after epoch 2's validation ended.
    epoch3 = records[2]['epoch_time']
    assert epoch3 <= probe.train_end[3] - probe.val_end[2] + 5e-3
    assert runner.message_hub.get_scalar(
        'train/epoch_time').current() == pytest.approx(
            epoch3, abs=1e-3)


def test_resume_continues_the_count(tiny_data_root, tmp_path):
    runner = Runner.from_cfg(_cfg(tiny_data_root, tmp_path, max_epochs=2))
    runner.register_hook(StopAfterEpochHook(stop_epoch=1))
    runner.train()
    first = _records(tmp_path)
    assert [r['epoch'] for r in first] == [1]
    assert 'acc/top1' in first[0]
    assert not osp.exists(tmp_path / 'epoch_2.pth')
    stored = torch.load(
        tmp_path / 'epoch_1.pth', map_location='cpu',
        weights_only=False)['train_time']
    assert stored['train_time'] == pytest.approx(
        first[0]['train_time'], abs=1e-3)
    assert len(stored['epoch_times']) == 1

    cfg = _cfg(tiny_data_root, tmp_path, max_epochs=2)
    cfg.resume = True
    runner = Runner.from_cfg(cfg)
    runner.train()
    records = _records(tmp_path)
    assert [r['epoch'] for r in records] == [1, 2]
    final = records[-1]
    assert final['train_time'] >= stored['train_time']
    assert final['train_time'] == pytest.approx(
        stored['train_time'] + final['epoch_time'], abs=5e-3)
    hook = next(h for h in runner.hooks if isinstance(h, TrainTimeHook))
    assert len(hook.epoch_times) == len(hook.epoch_data_times) == 2
    assert final['data_time'] == pytest.approx(
        first[0]['data_time'] + final['epoch_data_time'], abs=5e-3)
    saved = torch.load(
        tmp_path / 'epoch_2.pth', map_location='cpu',
        weights_only=False)['train_time']
    assert saved['train_time'] == pytest.approx(final['train_time'], abs=1e-3)


def test_records_data_time_and_iterations(tiny_data_root, tmp_path):
    # 24 clips in batches of 4: 6 iterations per epoch.
    runner = Runner.from_cfg(_cfg(tiny_data_root, tmp_path, max_epochs=2))
    probe = SlowDataProbe()
    runner.register_hook(probe)
    hook = next(h for h in runner.hooks if isinstance(h, TrainTimeHook))
    runner.train()
    records = _records(tmp_path)
    running = 0.
    for record in records:
        waits = probe.data_times[record['epoch']]
        assert record['epoch_iters'] == len(waits) == 6
        assert record['epoch_data_time'] == pytest.approx(sum(waits), abs=2e-3)
        assert record['epoch_data_time'] >= 6 * DATA_SLEEP
        assert record['epoch_data_time'] <= record['epoch_time']
        running += record['epoch_data_time']
        assert record['data_time'] == pytest.approx(running, abs=2e-3)
    assert hook.data_time == pytest.approx(running, abs=2e-3)
    saved = torch.load(
        tmp_path / 'epoch_2.pth', map_location='cpu',
        weights_only=False)['train_time']
    assert sum(saved['epoch_data_times']) == pytest.approx(running, abs=2e-3)


@pytest.mark.parametrize('log_file', ['', None, 3])
def test_bad_log_file(log_file):
    with pytest.raises(ValueError, match='log_file'):
        TrainTimeHook(log_file=log_file)
