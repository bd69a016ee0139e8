"""Run one training config and collect what accuracy-vs-time comparisons
need (the demo, ``tools/analysis/sweep_ratio.py``)."""
import json
import os
import os.path as osp
from typing import Dict, Optional, Sequence

from mmengine.config import Config

from mmsakd.utils.dataset_cfg import innermost
from mmsakd.utils.logs import (GROUP_SUBSET_FILE, INFOBATCH_FILE,
                               RANDOM_SUBSET_FILE, RESULT_FILE, ROUNDS_FILE,
                               TIME_FILE, read_run_result, read_sakd_rounds,
                               read_train_time)

#: Per-epoch logs of the other subset hooks (InfoBatchHook,
#: RandomSubsetHook, GroupSubsetHook), cleared with the others before a
#: fresh run.
SUBSET_LOG_FILES = (INFOBATCH_FILE, RANDOM_SUBSET_FILE, GROUP_SUBSET_FILE)


def point_to_data(cfg: Config, data_root: str) -> None:
    """Point every dataloader of ``cfg`` at the synthetic dataset in
    ``data_root`` (``train.txt``, ``val.txt``, ``videos/``)."""
    for split, ann in (('train', 'train.txt'), ('val', 'val.txt'),
                       ('test', 'val.txt')):
        loader = cfg.get(f'{split}_dataloader')
        if loader is None:
            continue
        # Inside dataset wrappers (ReplayAugmentation, SkipBrokenClips).
        dataset = innermost(loader.dataset)
        dataset.ann_file = osp.join(data_root, ann)
        dataset.data_prefix = dict(video=osp.join(data_root, 'videos'))


def set_epochs(cfg: Config, epochs: int, val_interval: int = 1) -> None:
    """Train for ``epochs``; schedulers that spanned the old number of
    epochs (``T_max``, ``end``) are stretched to the new one."""
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f'epochs must be an integer >= 1, got {epochs!r}')
    old = cfg.train_cfg.max_epochs
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = val_interval
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for scheduler in schedulers:
        for key in ('T_max', 'end'):
            if scheduler.get(key) == old:
                scheduler[key] = epochs


def sakd_hook_cfg(cfg: Config) -> Optional[dict]:
    """The SAKD hook's entry of ``cfg``, ``cfg.default_hooks.sakd`` (None if
    absent); changing it changes the run's hook."""
    return (cfg.get('default_hooks') or {}).get('sakd')


def add_train_time_hook(cfg: Config, run_name: Optional[str] = None) -> None:
    """Make ``cfg`` run one :class:`~mmsakd.engine.hooks.TrainTimeHook`.

    Every distillation config has one (``default_hooks.train_time``); a
    hook that ``cfg`` has already, in ``default_hooks`` or
    ``custom_hooks``, is kept and gets ``run_name`` unless it has a name of
    its own. Otherwise one is added as ``default_hooks.train_time``.

    Args:
        cfg (Config): The run's config, changed in place.
        run_name (str, optional): Shown in the hook's progress lines.
            Defaults to None.
    """
    if cfg.get('default_hooks') is None:
        cfg.default_hooks = dict()
    hooks = [
        h for h in list(cfg.default_hooks.values()) +
        list(cfg.get('custom_hooks') or [])
        if isinstance(h, dict) and h.get('type') == 'TrainTimeHook'
    ]
    for hook in hooks:
        if hook.get('run_name') is None:
            hook['run_name'] = run_name
    if not hooks:
        cfg.default_hooks.train_time = dict(
            type='TrainTimeHook', run_name=run_name)


def summarize_run(work_dir: str) -> Dict:
    """Accuracy curve, final metrics and where the training time went.

    Reads ``train_time.jsonl`` (:class:`TrainTimeHook`) and, for SAKD
    runs, ``sakd_rounds.jsonl``, with the readers of
    :mod:`mmsakd.utils.logs` (the records of a resumed run supersede those
    it repeats).

    Returns:
        dict: ``top1``/``top5`` (percent, last validation), ``best_top1``,
        ``train_time`` (s), ``data_time`` (s waiting for training batches;
        None in logs without it), ``iters`` (training iterations),
        ``epochs``, ``curve`` (one point per validated
        epoch: ``epoch``, cumulative ``train_time``, ``top1``, ``top5``)
        and, for SAKD runs, ``score_time`` (of which ``score_data_time``
        waiting for the scoring loader), ``select_time`` and
        ``subset_size``.
    """
    path = osp.join(work_dir, TIME_FILE)
    records = read_train_time(path)
    curve = [
        dict(
            epoch=r['epoch'],
            train_time=r['train_time'],
            top1=100 * r['acc/top1'],
            top5=100 * r['acc/top5']) for r in records if 'acc/top1' in r
    ]
    if not curve:
        raise ValueError(f'{path} holds no validation result')
    summary = dict(
        top1=curve[-1]['top1'],
        top5=curve[-1]['top5'],
        best_top1=max(p['top1'] for p in curve),
        train_time=records[-1]['train_time'],
        data_time=records[-1].get('data_time'),
        iters=sum(r.get('epoch_iters', 0) for r in records),
        epochs=records[-1]['epoch'],
        curve=curve)
    rounds_path = osp.join(work_dir, ROUNDS_FILE)
    if osp.isfile(rounds_path):
        rounds = read_sakd_rounds(rounds_path)
        summary.update(
            rounds=len(rounds),
            score_time=sum(r['score_time'] for r in rounds),
            score_data_time=sum(r.get('score_data_time', 0.) for r in rounds),
            select_time=sum(r['select_time'] for r in rounds),
            subset_size=rounds[-1]['subset_size'] if rounds else None)
    return summary


def release_dataloader_workers(runner) -> None:
    """Stop the persistent dataloader workers of a finished Runner.

    Left to the garbage collector, the workers of a finished run are shut
    down inside the next run's dataset construction (mmengine calls
    ``gc.collect()`` there), where PyTorch's shutdown of collected
    iterators waits several seconds per loader; several runs in one
    process pay that each time. Shutting them down explicitly is
    immediate. Covers the Runner's train/val/test loaders and any
    ``DataLoader`` a hook holds (e.g. SAKD's scoring loader).
    """
    from torch.utils.data import DataLoader

    loaders = []
    for loop_name in ('_train_loop', '_val_loop', '_test_loop'):
        loop = getattr(runner, loop_name, None)
        loader = getattr(loop, 'dataloader', None)
        if isinstance(loader, DataLoader):
            loaders.append(loader)
    for hook in getattr(runner, 'hooks', []):
        loaders += [
            v for v in vars(hook).values() if isinstance(v, DataLoader)
        ]
    for loader in loaders:
        iterator = getattr(loader, '_iterator', None)
        if iterator is not None and hasattr(iterator, '_shutdown_workers'):
            iterator._shutdown_workers()
            loader._iterator = None


def run_experiment(cfg: Config,
                   name: str,
                   force: bool = False,
                   extra: Optional[Dict] = None) -> Dict:
    """Train ``cfg`` (its ``work_dir`` must be set) and summarise it.

    A run whose work dir already holds a finished summary is not trained
    again unless ``force``; an unfinished one is resumed from its last
    checkpoint, so an interrupted demo or sweep loses at most an epoch
    (``load_from``, the weights a fresh run starts from, is then ignored).

    Args:
        cfg (Config): The complete config of the run.
        name (str): Short name of the run (logs, progress).
        force (bool): Retrain even if a summary exists. Defaults to False.
        extra (dict, optional): Stored in the summary. Defaults to None.

    Returns:
        dict: :func:`summarize_run`'s summary plus ``name``, ``work_dir``
        and ``extra``'s items.
    """
    from mmengine.runner import Runner

    work_dir = cfg.work_dir
    result_path = osp.join(work_dir, RESULT_FILE)
    if osp.isfile(result_path) and not force:
        return read_run_result(result_path)
    # A fresh (or forced) run starts from nothing; a resumed one keeps the
    # logs of the epochs it already trained.
    stale = [RESULT_FILE, 'last_checkpoint'] if force else []
    cfg.resume = not force and osp.isfile(
        osp.join(work_dir, 'last_checkpoint'))
    if cfg.resume:
        # The run's own last checkpoint, not the weights it started from.
        cfg.load_from = None
    if not cfg.resume:
        stale += [TIME_FILE, ROUNDS_FILE] + list(SUBSET_LOG_FILES)
    for file_name in stale:
        if osp.isfile(osp.join(work_dir, file_name)):
            os.remove(osp.join(work_dir, file_name))
    add_train_time_hook(cfg, run_name=name)
    runner = Runner.from_cfg(cfg)
    try:
        runner.train()
    finally:
        release_dataloader_workers(runner)
    summary = dict(name=name, work_dir=work_dir, **(extra or {}))
    summary.update(summarize_run(work_dir))
    tmp = result_path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(summary, f, indent=2)
    os.replace(tmp, result_path)
    return summary


def markdown_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)
