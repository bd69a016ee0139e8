"""A regime's data and pretrained checkpoints, made once and cached.

Pretraining runs once, with seed 0, and its checkpoints are cached under
``checkpoints/benchmark/`` with a key that hashes their config and data
settings, so that a changed setting never reuses a stale checkpoint.
"""
import json
import os
import os.path as osp
import shutil
from typing import Dict, Sequence

from mmengine.config import Config

from mmsakd.apis.experiment import run_experiment
from mmsakd.datasets.synthetic import dataset_is_complete, generate_dataset
from .configs import config_file, fingerprint
from .regimes import Regime, adapt_to_regime, data_roots

#: The tiny pair of every regime (relative to ``configs/``).
TEACHER_CONFIG = 'synthetic/slowfast_tiny_teacher_synthetic.py'
STUDENT_CONFIG = 'synthetic/slowfast_tiny_student_synthetic.py'
CACHE_DIR = 'checkpoints/benchmark'


def regime_cfg(relpath: str, regime: Regime, data_root: str, epochs: int,
               seed: int, num_classes: int) -> Config:
    """``configs/<relpath>`` adapted to the regime
    (:func:`~mmsakd.benchmark.regimes.adapt_to_regime`)."""
    cfg = Config.fromfile(config_file(relpath))
    return adapt_to_regime(cfg, regime, data_root, epochs, seed, num_classes)


def pretrained(name: str, cfg: Config, data_cfgs: Sequence, cache_dir: str,
               work_root: str) -> Dict:
    """Train ``cfg`` once and cache its final weights.

    Returns:
        dict: ``name``, ``checkpoint`` (path), ``key``, ``top1``/``top5`` on
        its validation set after the last epoch, ``train_time`` and
        ``epochs``.
    """
    key = fingerprint(cfg, data_cfgs)
    path = osp.join(cache_dir, f'{name}-{key}.pth')
    info_path = path[:-len('.pth')] + '.json'
    if osp.isfile(path) and osp.isfile(info_path):
        with open(info_path) as f:
            info = json.load(f)
        # Where it is found now, wherever the cache was written from.
        info['checkpoint'] = path
        print(f'{name}: cached {path} (top-1 {info["top1"]:.1f})', flush=True)
        return info
    work_dir = osp.join(work_root, f'{name}-{key}')
    cfg.work_dir = work_dir
    # Validate once, after the last epoch.
    cfg.train_cfg.val_interval = cfg.train_cfg.max_epochs
    print(
        f'{name}: training {cfg.train_cfg.max_epochs} epochs in '
        f'{work_dir}, cached as {path}',
        flush=True)
    result = run_experiment(cfg, name)
    os.makedirs(cache_dir, exist_ok=True)
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        last = f.read().strip()
    tmp = path + '.tmp'
    shutil.copyfile(last, tmp)
    os.replace(tmp, path)
    info = dict(
        name=name,
        checkpoint=path,
        key=key,
        top1=result['top1'],
        top5=result['top5'],
        train_time=result['train_time'],
        epochs=result['epochs'])
    with open(info_path + '.tmp', 'w') as f:
        json.dump(info, f, indent=2)
    os.replace(info_path + '.tmp', info_path)
    return info


def prepare(regime: Regime,
            data_dir: str = 'data',
            cache_dir: str = CACHE_DIR,
            work_dir: str = 'work_dirs/benchmark_sakd',
            num_workers: int = 2) -> Dict:
    """Generate the regime's data and make (or find) its teacher and, with a
    source, the student's pretrained weights.

    Args:
        regime (Regime): The regime.
        data_dir (str): Where the datasets are generated. Defaults to
            'data'.
        cache_dir (str): Where pretrained checkpoints are cached. Defaults
            to 'checkpoints/benchmark'.
        work_dir (str): The study's work dir; pretraining runs under its
            ``pretrain/``. Defaults to 'work_dirs/benchmark_sakd'.
        num_workers (int): Processes generating the data. Defaults to 2.

    Returns:
        dict: ``target_root``, ``source_root``, ``teacher`` and ``student``
        (the :func:`pretrained` infos; ``student`` is None without a
        source) and ``pretrained`` (every pretrained checkpoint's info).
    """
    roots = data_roots(regime, data_dir)
    for role in ('source', 'target'):
        data_cfg = regime.written(role)
        if data_cfg is None:
            continue
        if dataset_is_complete(roots[role], data_cfg):
            continue
        print(f'generating the {role} dataset in {roots[role]}', flush=True)
        generate_dataset(roots[role], data_cfg, num_workers=num_workers)
        print(flush=True)
    pretrain_dir = osp.join(work_dir, 'pretrain')
    infos = []
    student = None
    teacher_init = None
    if regime.source is not None:
        num_source = len(regime.source.classes)
        teacher_epochs = regime.teacher_source_epochs
        if teacher_epochs is None:
            teacher_epochs = regime.source_epochs
        teacher_src = regime_cfg(TEACHER_CONFIG, regime, roots['source'],
                                 teacher_epochs, 0, num_source)
        teacher_src_info = pretrained(f'{regime.source_prefix}_teacher_source',
                                      teacher_src, [regime.written('source')],
                                      cache_dir, pretrain_dir)
        student_src = regime_cfg(STUDENT_CONFIG, regime, roots['source'],
                                 regime.source_epochs, 0, num_source)
        student = pretrained(f'{regime.source_prefix}_student_source',
                             student_src, [regime.written('source')],
                             cache_dir, pretrain_dir)
        infos += [teacher_src_info, student]
        teacher_init = teacher_src_info['checkpoint']
    teacher_cfg = regime_cfg(TEACHER_CONFIG, regime, roots['target'],
                             regime.teacher_epochs, 0,
                             len(regime.target.classes))
    if teacher_init is not None:
        # Loaded non-strictly after initialisation: the source head's
        # other number of classes is skipped (logged) and stays initialised.
        teacher_cfg.load_from = teacher_init
        if regime.lr is not None:
            teacher_cfg.optim_wrapper.optimizer.lr = regime.lr
    teacher = pretrained(f'{regime.name}_teacher', teacher_cfg,
                         [regime.written('source'),
                          regime.written('target')], cache_dir, pretrain_dir)
    infos.append(teacher)
    return dict(
        target_root=roots['target'],
        source_root=roots['source'],
        teacher=teacher,
        student=student,
        pretrained=infos)
