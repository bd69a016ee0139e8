"""mmsakd.apis.experiment: config helpers, run summaries, cached runs."""
import json
import os
import os.path as osp
import uuid

import pytest
from helpers import REPO_ROOT, tiny_cfg_options
from mmengine.config import Config

from mmsakd.apis import (add_train_time_hook, markdown_table, point_to_data,
                         run_experiment, sakd_hook_cfg, set_epochs,
                         summarize_run)
from mmsakd.utils import read_json_lines

STUDENT_CFG = 'configs/synthetic/slowfast_tiny_student_synthetic.py'
SAKD_CFG = 'configs/synthetic/sakd_slowfast_tiny_synthetic.py'


def _sched_cfg(max_epochs=10):
    return Config(
        dict(
            train_cfg=dict(max_epochs=max_epochs, val_interval=1),
            param_scheduler=[
                dict(type='LinearLR', begin=0, end=2),
                dict(
                    type='CosineAnnealingLR',
                    T_max=max_epochs,
                    begin=2,
                    end=max_epochs),
                dict(type='MultiStepLR', milestones=[5], end=7),
            ]))


def test_set_epochs_stretches_full_length_schedulers():
    cfg = _sched_cfg(10)
    set_epochs(cfg, 4, val_interval=2)
    assert cfg.train_cfg.max_epochs == 4
    assert cfg.train_cfg.val_interval == 2
    warmup, cosine, steps = cfg.param_scheduler
    assert (warmup.begin, warmup.end) == (0, 2)  # not the old length
    assert (cosine.T_max, cosine.begin, cosine.end) == (4, 2, 4)
    assert steps.end == 7 and steps.milestones == [5]


def test_set_epochs_single_scheduler_dict_and_bad_values():
    cfg = Config(
        dict(
            train_cfg=dict(max_epochs=3),
            param_scheduler=dict(type='CosineAnnealingLR', T_max=3, end=3)))
    set_epochs(cfg, 6)
    assert cfg.param_scheduler.T_max == 6 and cfg.param_scheduler.end == 6
    assert cfg.train_cfg.val_interval == 1
    for bad in (0, -1, 2.0, '3'):
        with pytest.raises(ValueError, match='epochs'):
            set_epochs(_sched_cfg(), bad)


def test_point_to_data_sets_every_loader(tmp_path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, STUDENT_CFG))
    root = str(tmp_path / 'data')
    point_to_data(cfg, root)
    for split, ann in (('train', 'train.txt'), ('val', 'val.txt'),
                       ('test', 'val.txt')):
        dataset = cfg[f'{split}_dataloader'].dataset
        assert dataset.ann_file == osp.join(root, ann)
        assert dataset.data_prefix == dict(video=osp.join(root, 'videos'))
    # A config without a test loader is fine.
    cfg.test_dataloader = None
    point_to_data(cfg, root)
    assert cfg.test_dataloader is None


def test_hook_helpers():
    cfg = Config.fromfile(osp.join(REPO_ROOT, SAKD_CFG))
    assert sakd_hook_cfg(cfg)['type'] == 'SAKDHook'
    student = Config.fromfile(osp.join(REPO_ROOT, STUDENT_CFG))
    assert sakd_hook_cfg(student) is None
    add_train_time_hook(student, run_name='x')
    add_train_time_hook(student, run_name='y')  # not twice
    hooks = [
        h for h in student.default_hooks.values()
        if h['type'] == 'TrainTimeHook'
    ]
    assert hooks == [dict(type='TrainTimeHook', run_name='x')]
    assert student.default_hooks.train_time == hooks[0]
    assert student.default_hooks.random_state == dict(type='RandomStateHook')
    # One declared in custom_hooks counts too.
    other = Config.fromfile(osp.join(REPO_ROOT, STUDENT_CFG))
    other.custom_hooks = [dict(type='TrainTimeHook', run_name='z')]
    add_train_time_hook(other, run_name='x')
    assert 'train_time' not in other.default_hooks
    # The entry is the config's own: changing it changes the run.
    sakd_hook_cfg(cfg)['ratio'] = 0.3
    assert cfg.default_hooks.sakd.ratio == 0.3


def _write_jsonl(path, records):
    with open(path, 'w') as f:
        for record in records:
            f.write(json.dumps(record) + '\n')


def test_summarize_run(tmp_path):
    _write_jsonl(
        tmp_path / 'train_time.jsonl',
        [
            dict(epoch=1, epoch_time=1.0, train_time=1.0),
            dict(
                epoch=2,
                epoch_time=1.5,
                train_time=2.5,
                **{
                    'acc/top1': 0.5,
                    'acc/top5': 0.9
                }),
            # Interrupted and resumed: epoch 2 again, then 3; the last wins.
            dict(
                epoch=2,
                epoch_time=1.25,
                train_time=2.25,
                **{
                    'acc/top1': 0.75,
                    'acc/top5': 1.0
                }),
            dict(
                epoch=3,
                epoch_time=1.0,
                train_time=3.25,
                **{
                    'acc/top1': 0.25,
                    'acc/top5': 0.5
                }),
        ])
    summary = summarize_run(str(tmp_path))
    assert summary['epochs'] == 3
    assert summary['train_time'] == 3.25
    assert summary['top1'] == pytest.approx(25.0)
    assert summary['top5'] == pytest.approx(50.0)
    assert summary['best_top1'] == pytest.approx(75.0)
    assert summary['curve'] == [
        dict(epoch=2, train_time=2.25, top1=75.0, top5=100.0),
        dict(epoch=3, train_time=3.25, top1=25.0, top5=50.0)
    ]
    assert 'score_time' not in summary

    _write_jsonl(tmp_path / 'sakd_rounds.jsonl', [
        dict(round=1, score_time=0.5, select_time=0.01, subset_size=4),
        dict(round=2, score_time=0.75, select_time=0.02, subset_size=4),
        dict(round=2, score_time=0.25, select_time=0.03, subset_size=5),
    ])
    summary = summarize_run(str(tmp_path))
    assert summary['rounds'] == 2
    assert summary['score_time'] == pytest.approx(0.75)
    assert summary['select_time'] == pytest.approx(0.04)
    assert summary['subset_size'] == 5


def test_summarize_run_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='train_time.jsonl'):
        summarize_run(str(tmp_path))
    path = tmp_path / 'train_time.jsonl'
    _write_jsonl(path, [dict(epoch=1, epoch_time=1.0, train_time=1.0)])
    with pytest.raises(ValueError, match='no validation'):
        summarize_run(str(tmp_path))
    path.write_text('\n')
    with pytest.raises(ValueError, match='no epoch'):
        summarize_run(str(tmp_path))
    path.write_text('{"epoch": 1}\nnot json\n')
    with pytest.raises(ValueError, match='line 2'):
        read_json_lines(str(path))


def test_run_experiment_reuses_finished_run(tiny_data_root, tmp_path,
                                            monkeypatch):
    from mmengine.runner import Runner
    cfg = Config.fromfile(osp.join(REPO_ROOT, STUDENT_CFG))
    cfg.merge_from_dict(tiny_cfg_options(tiny_data_root, max_epochs=1))
    cfg.default_hooks.checkpoint.save_best = None
    cfg.work_dir = str(tmp_path / 'run')
    cfg.experiment_name = f'experiment_{uuid.uuid4().hex}'

    calls = []
    from_cfg = Runner.from_cfg.__func__

    def counting_from_cfg(cls, cfg):
        calls.append(cfg.work_dir)
        if len(calls) > 1:
            raise AssertionError('a finished run was trained again')
        return from_cfg(cls, cfg)

    monkeypatch.setattr(Runner, 'from_cfg', classmethod(counting_from_cfg))
    first = run_experiment(cfg.copy(), 'ce', extra=dict(label='CE'))
    assert calls == [cfg.work_dir]
    assert first['name'] == 'ce' and first['label'] == 'CE'
    assert first['work_dir'] == cfg.work_dir
    assert first['epochs'] == 1 and len(first['curve']) == 1
    assert 0 <= first['top1'] <= 100 and first['train_time'] > 0
    result_path = osp.join(cfg.work_dir, 'run_result.json')
    with open(result_path) as f:
        assert json.load(f) == first
    mtime = os.stat(result_path).st_mtime_ns

    second = run_experiment(cfg.copy(), 'ce', extra=dict(label='CE'))
    assert second == first
    assert len(calls) == 1
    assert os.stat(result_path).st_mtime_ns == mtime
    # force retrains (here: reaches the patched from_cfg).
    with pytest.raises(AssertionError, match='trained again'):
        run_experiment(cfg.copy(), 'ce', force=True)
    # force removed the stale records before training.
    assert not osp.exists(osp.join(cfg.work_dir, 'train_time.jsonl'))


def test_markdown_table():
    text = markdown_table(('a', 'b'), [(1, 'x'), (2.5, None)])
    assert text == ('| a | b |\n'
                    '|---|---|\n'
                    '| 1 | x |\n'
                    '| 2.5 | None |')
    assert markdown_table(('only', ), []) == '| only |\n|---|'


def test_release_dataloader_workers_stops_persistent_workers():
    import types

    import torch
    from torch.utils.data import DataLoader, TensorDataset

    from mmsakd.apis import release_dataloader_workers

    def loader():
        data = DataLoader(
            TensorDataset(torch.arange(8.)),
            batch_size=4,
            num_workers=1,
            persistent_workers=True)
        assert len(list(data)) == 2  # starts the persistent worker
        return data

    train, held_by_hook = loader(), loader()
    workers = [w for d in (train, held_by_hook) for w in d._iterator._workers]
    assert all(w.is_alive() for w in workers)
    hook = types.SimpleNamespace(score_loader=held_by_hook, other=3)
    runner = types.SimpleNamespace(
        _train_loop=types.SimpleNamespace(dataloader=train),
        _val_loop=None,
        hooks=[hook])
    release_dataloader_workers(runner)
    assert train._iterator is None and held_by_hook._iterator is None
    for worker in workers:
        worker.join(timeout=5)
    assert not any(w.is_alive() for w in workers)
