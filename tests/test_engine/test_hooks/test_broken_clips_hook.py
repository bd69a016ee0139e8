"""BrokenClipsHook with SkipBrokenClips: a truncated and a missing clip of
the training list are skipped (in training or in the SAKD scoring pass),
logged once with file and line, listed in the work dir, counted in every
round and never selected; a resumed run leaves them out without logging
them again; the hook checks its config; an error on one of two gloo
ranks stops both with its message."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest
import torch
from helpers import (REPO_ROOT, free_port, make_broken_copy,
                     make_teacher_checkpoint, tiny_cfg_options,
                     train_in_process)
from mmengine.config import Config
from torch.utils.data import DataLoader

from mmsakd.datasets import SkipBrokenClips, skip_broken_collate
from mmsakd.engine.hooks import BrokenClipsHook

SAKD_CFG = 'configs/synthetic/sakd_slowfast_tiny_synthetic.py'


@pytest.fixture(scope='module')
def broken(tiny_data_root, tmp_path_factory):
    root = tmp_path_factory.mktemp('broken_train')
    bad = make_broken_copy(tiny_data_root, root)['train']
    teacher = make_teacher_checkpoint(str(root / 'teacher.pth'))
    return root, bad, teacher


def _skip_cfg(path, tiny_data_root, root, teacher, max_epochs, **sakd):
    """The tiny SAKD config on the broken training list, with the skip
    policy, dumped to ``path``."""
    cfg = Config.fromfile(osp.join(REPO_ROOT, SAKD_CFG))
    options = tiny_cfg_options(tiny_data_root, max_epochs=max_epochs)
    options.update({
        'train_dataloader.dataset.ann_file':
        str(root / 'train.txt'),
        'train_dataloader.dataset.data_prefix.video':
        str(root / 'videos'),
        # Through a worker process, as users train.
        'train_dataloader.num_workers':
        1,
        'model.teacher_ckpt':
        teacher,
        'default_hooks.sakd.score_batch_size':
        8,
        'default_hooks.sakd.ratio':
        0.25,
    })
    options.update({f'default_hooks.sakd.{k}': v for k, v in sakd.items()})
    cfg.merge_from_dict(options)
    cfg.train_dataloader.collate_fn = dict(type='skip_broken_collate')
    cfg.train_dataloader.dataset = dict(
        type='SkipBrokenClips',
        max_skip_ratio=0.1,
        dataset=cfg.train_dataloader.dataset)
    cfg.custom_hooks = list(cfg.get('custom_hooks',
                                    [])) + [dict(type='BrokenClipsHook')]
    cfg.dump(str(path))
    return str(path)


def _train(config, work_dir, *extra):
    """Train through tools/train.py in a process of its own; the text of
    the run's log file."""
    result = subprocess.run([
        sys.executable, '-W', 'ignore',
        osp.join(REPO_ROOT, 'tools/train.py'), config, '--work-dir',
        str(work_dir), '--seed', '3', *extra
    ],
                            capture_output=True,
                            text=True,
                            cwd=REPO_ROOT,
                            timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    logs = sorted(glob.glob(osp.join(str(work_dir), '*', '*.log')))
    return open(logs[-1]).read()


def _rounds(work_dir):
    with open(osp.join(str(work_dir), 'sakd_rounds.jsonl')) as f:
        return [json.loads(line) for line in f]


def _assert_skipped_once(log, root, bad, where):
    for line, name in bad.items():
        text = (f'Skipped unreadable clip {line - 1} of VideoDataset '
                f'({root / "train.txt"}, line {line}): '
                f'{root / "videos" / name}: ')
        assert log.count(text) == 1, log[-3000:]
        start = log.index(text)
        assert f'(in {where})' in log[start:log.index('\n', start)]


@pytest.mark.parametrize('found_in', ['training', 'scoring'])
def test_skipped_clips_are_logged_once_and_never_selected(
        found_in, broken, tiny_data_root, tmp_path):
    root, bad, teacher = broken
    # With a warm-up epoch the full-data training finds them; without,
    # the first scoring pass does.
    warmup = 1 if found_in == 'training' else 0
    config = _skip_cfg(
        tmp_path / 'skip.py',
        tiny_data_root,
        root,
        teacher,
        max_epochs=2,
        warmup_epochs=warmup)
    work_dir = tmp_path / 'work'
    # In this process; the resumed run below starts a process of its own.
    log = train_in_process(config, work_dir, {}, '--seed', '3').log
    where = 'training epoch 0' if warmup else 'SAKD scoring, epoch 0'
    _assert_skipped_once(log, root, bad, where)
    assert '2 of the 24 training clips are unreadable and skipped' in log
    with open(work_dir / 'skipped_clips.txt') as f:
        listed = [line.split('\t') for line in f.read().splitlines()]
    assert [int(index) for index, _ in listed] == [1, 3]
    assert listed[1][1].startswith(
        f'clip 3 of VideoDataset ({root / "train.txt"}, line 4): ')
    rounds = _rounds(work_dir)
    assert len(rounds) == 2 - warmup
    for record in rounds:
        assert record['skipped'] == 2 and record['scored'] == 22
        assert record['subset_size'] == 6
        assert not {1, 3} & set(record['selected'])
    ckpt = torch.load(work_dir / 'epoch_2.pth', weights_only=False)
    assert sorted(ckpt['skipped_clips']) == [1, 3]
    # Resumed, the run leaves them out without logging them again.
    if found_in == 'scoring':
        resumed = tmp_path / 'resumed'
        log = _train(config, resumed, '--resume',
                     str(work_dir / 'epoch_1.pth'))
        assert 'Skipped unreadable' not in log
        assert _rounds(resumed)[-1]['skipped'] == 2


def _runner(dataset, collate_fn=skip_broken_collate):
    loader = DataLoader(dataset, batch_size=2, collate_fn=collate_fn)
    return SimpleNamespace(train_dataloader=loader, epoch=0)


def test_hook_checks_the_dataset_and_the_collate_fn():
    hook = BrokenClipsHook()
    with pytest.raises(
            TypeError,
            match=r"train_dataloader.dataset=dict\("
            r"type='SkipBrokenClips'"):
        hook.before_train(_runner(list(range(4))))
    dataset = SkipBrokenClips(list(range(4)))
    with pytest.raises(
            TypeError,
            match=r"train_dataloader.collate_fn=dict\("
            r"type='skip_broken_collate'\), got default_collate"):
        hook.before_train(_runner(dataset, torch.utils.data.default_collate))
    hook.before_train(_runner(dataset))
    assert dataset.skipping


def test_a_batch_of_unreadable_clips_stops_with_their_name():
    dataset = SkipBrokenClips(list(range(4)), max_skip_ratio=1.)
    runner = _runner(dataset)
    batch = dict(skipped=[(1, 'cannot load clip 1: a.mp4'), (2, 'b')])
    with pytest.raises(
            RuntimeError,
            match=r'every clip of training batch 0 '
            r'of epoch 0 is unreadable \(2 clips, e.g. cannot '
            r'load clip 1: a.mp4\)'):
        BrokenClipsHook().before_train_iter(runner, 0, batch)
    assert sorted(dataset.skipped) == [1, 2]


# Each rank runs the hook on its batches, with an all-reduce after each as
# DDP's gradient all-reduce, and prints what stopped it. The process group
# times out after 20 s, far below the default: a rank left waiting would
# print gloo's timeout error instead of the message.
_TWO_RANKS = textwrap.dedent("""
    import sys
    from datetime import timedelta
    from types import SimpleNamespace
    import torch
    import torch.distributed as dist
    from mmsakd.datasets import SkipBrokenClips
    from mmsakd.engine.hooks import BrokenClipsHook

    rank, port = int(sys.argv[1]), sys.argv[2]
    dist.init_process_group(
        'gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank,
        world_size=2, timeout=timedelta(seconds=20))
    ok, broken = dict(inputs=[0]), dict(skipped=[(2, 'clip 2: b.mp4')])
    half = dict(inputs=[0], skipped=[(3, 'clip 3: c.mp4')])
    cases = dict(
        # rank 1 alone: a batch of unreadable clips in iteration 1
        all_broken=(1., [[ok, ok, ok], [ok, broken, ok]]),
        # rank 0 alone: one skipped clip of 4 exceeds max_skip_ratio=0.1
        too_many=(0.1, [[ok, half, ok], [ok, ok, ok]]))
    for case, (ratio, batches) in cases.items():
        dataset = SkipBrokenClips(list(range(4)), max_skip_ratio=ratio)
        runner = SimpleNamespace(
            train_dataloader=SimpleNamespace(dataset=dataset), epoch=0)
        hook = BrokenClipsHook()
        try:
            for i, batch in enumerate(batches[rank]):
                hook.before_train_iter(runner, i, dict(batch))
                dist.all_reduce(torch.ones(1))
            print('>', case, 'finished', flush=True)
        except Exception as e:
            print('>', case, f'{type(e).__name__}: {e}', flush=True)
    dist.destroy_process_group()
""")


def test_an_error_on_one_rank_stops_both_ranks_with_its_message():
    port = str(free_port())
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO_ROOT + os.pathsep + env.get('PYTHONPATH', '')
    command = [sys.executable, '-W', 'ignore', '-c', _TWO_RANKS]
    procs = [
        subprocess.Popen(
            command + [str(rank), port],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO_ROOT) for rank in range(2)
    ]
    try:
        # Each process imports torch and mmsakd first: slow on a loaded
        # machine (a parallel test run).
        outputs = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
    expected = [
        '> all_broken RuntimeError: rank 1 of 2: every clip of training batch '
        '1 of epoch 0 is unreadable (1 clips, e.g. clip 2: b.mp4); '
        'SkipBrokenClips needs one readable clip per batch: clean the list '
        'with tools/data/check_videos.py --out',
        '> too_many RuntimeError: rank 0 of 2: 1 of the 4 clips could not be '
        'loaded, more than max_skip_ratio=0.1 allows; the first: clip 3: '
        'c.mp4. A wrong data prefix or pipeline makes every clip fail; fix '
        'it, or clean the list with tools/data/check_videos.py (--out '
        'writes the readable clips)'
    ]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-3000:]
        results = [line for line in out.splitlines() if line[:2] == '> ']
        assert results == expected, err[-3000:]
