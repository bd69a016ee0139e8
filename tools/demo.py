"""The ``make demo`` job: SAKD against vanilla KD on the synthetic dataset.

Steps (each skipped when its output already exists; an interrupted run
resumes from its last checkpoint):

1. generate the synthetic action dataset under ``--data-root``;
2. train the tiny SlowFast teacher
   (``configs/synthetic/slowfast_tiny_teacher_synthetic.py``) and copy its
   last checkpoint to ``--teacher-ckpt``, the path the distillation configs
   read; evaluate it;
3. train the tiny SlowFast student five ways with the same seed, data and
   epochs: alone (cross-entropy), vanilla KD on every clip, SAKD (r = 0.1)
   every epoch, SAKD every 5 epochs, and SAKD with uniform random instead
   of DPP selection;
4. write ``results.json``, ``results.md`` (a Table-III-style table, where
   SAKD's time goes, the targets) and PNG plots into ``--work-dir``.

``--quick`` runs the same steps on a few dozen clips for two epochs, in
``<work-dir>/quick``, as a smoke test.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
import time

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..')))

import torch
from mmengine.config import Config
from mmengine.runner import Runner

import mmsakd  # noqa: F401  (compat fixes before mmaction.models)
from mmsakd.apis import (markdown_table, point_to_data,
                         release_dataloader_workers, run_experiment,
                         sakd_hook_cfg, set_epochs)
from mmsakd.datasets.synthetic import (SyntheticActionConfig,
                                       dataset_is_complete, generate_dataset)
from mmsakd.visualization import plot_accuracy_vs_time, plot_run  # noqa

TEACHER_CONFIG = 'configs/synthetic/slowfast_tiny_teacher_synthetic.py'
SAKD_CONFIG = 'configs/synthetic/sakd_slowfast_tiny_synthetic.py'
#: name -> (label, config, SAKDHook overrides)
RUNS = {
    'ce': ('Student alone (CE)',
           'configs/synthetic/slowfast_tiny_student_synthetic.py', None),
    'kd': ('Vanilla KD (all clips)',
           'configs/synthetic/kd_slowfast_tiny_synthetic.py', None),
    'sakd_i1': ('SAKD r=0.1, every epoch', SAKD_CONFIG, {}),
    'sakd_i5': ('SAKD r=0.1, every 5 epochs',
                'configs/synthetic/sakd_i5_slowfast_tiny_synthetic.py', {}),
    'sakd_random':
    ('SAKD r=0.1, random selection', SAKD_CONFIG, dict(selector='random')),
    'sakd_rank':
    ('SAKD r=0.1, rank-normalised easiness', SAKD_CONFIG, dict(norm='rank')),
}
DEFAULT_RUNS = ('ce', 'kd', 'sakd_i1', 'sakd_i5', 'sakd_random')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument(
        '--teacher-ckpt',
        default='checkpoints/slowfast_tiny_teacher_synthetic.pth')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='a smoke run: 40 training and 20 validation clips, two epochs '
        '(teacher: one), written under <work-dir>/quick')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--epochs',
        type=int,
        help='epochs of every student run (default: the configs\' 10; '
        '2 with --quick)')
    parser.add_argument(
        '--runs',
        default=','.join(DEFAULT_RUNS),
        help='comma-separated student runs, from: ' + ', '.join(RUNS) +
        ' (default: %(default)s)')
    parser.add_argument(
        '--force',
        action='store_true',
        help='retrain the student runs even if their results exist')
    args = parser.parse_args()
    args.runs = [r.strip() for r in args.runs.split(',') if r.strip()]
    unknown = [r for r in args.runs if r not in RUNS]
    if unknown or not args.runs:
        parser.error(f'--runs: unknown run(s) {unknown}; choose from '
                     f'{", ".join(RUNS)}')
    if args.epochs is not None and args.epochs < 1:
        parser.error(f'--epochs must be >= 1, got {args.epochs}')
    return args


def _build_teacher_cfg(args, work_dir: str) -> Config:
    cfg = Config.fromfile(TEACHER_CONFIG)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=args.seed, deterministic=False)
    point_to_data(cfg, args.data_root)
    if args.quick:
        set_epochs(cfg, 1)
        _quick_options(cfg)
    return cfg


def step(title: str):
    print(f'\n==> {title}', flush=True)
    return time.time()


def _build_run_cfg(args, name: str, epochs: int) -> Config:
    _, config, hook_options = RUNS[name]
    cfg = Config.fromfile(config)
    cfg.work_dir = osp.join(args.work_dir, 'runs', name)
    cfg.randomness = dict(seed=args.seed, deterministic=False)
    point_to_data(cfg, args.data_root)
    set_epochs(cfg, epochs)
    if cfg.model.get('type') == 'SAKDDistiller':
        cfg.model.teacher_ckpt = args.teacher_ckpt
    hook = sakd_hook_cfg(cfg)
    if hook is not None:
        hook.update(hook_options or {})
    # Resuming an interrupted run needs only the last checkpoint.
    cfg.default_hooks.checkpoint.max_keep_ckpts = 1
    cfg.default_hooks.checkpoint.save_best = None
    if args.quick:
        _quick_options(cfg)
    return cfg


def _quick_options(cfg: Config) -> None:
    """Log every iteration and load data in the main process: worker
    start-up would dominate a smoke run of a few dozen clips."""
    cfg.default_hooks.logger.interval = 1
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if loader is not None:
            loader.num_workers = 0
            loader.persistent_workers = False
    hook = sakd_hook_cfg(cfg)
    if hook is not None:
        hook['score_num_workers'] = 0


def train_teacher(args) -> dict:
    """Train the teacher unless its checkpoint exists, then evaluate it."""
    teacher_dir = osp.join(args.work_dir, 'teacher_slowfast')
    cfg = _build_teacher_cfg(args, teacher_dir)
    start = time.time()
    trained = not osp.isfile(args.teacher_ckpt)
    if not trained:
        print(f'found {args.teacher_ckpt}; delete it to retrain')
        cfg.load_from = args.teacher_ckpt
        runner = Runner.from_cfg(cfg)
    else:
        runner = Runner.from_cfg(cfg)
        runner.train()
        with open(osp.join(teacher_dir, 'last_checkpoint')) as f:
            last = f.read().strip()
        os.makedirs(osp.dirname(osp.abspath(args.teacher_ckpt)), exist_ok=True)
        tmp = args.teacher_ckpt + '.tmp'
        shutil.copyfile(last, tmp)
        os.replace(tmp, args.teacher_ckpt)
        print(f'teacher checkpoint: {args.teacher_ckpt}')
    train_s = time.time() - start
    metrics = runner.test()
    release_dataloader_workers(runner)
    result = dict(
        config=TEACHER_CONFIG,
        checkpoint=args.teacher_ckpt,
        top1=100 * metrics['acc/top1'],
        top5=100 * metrics['acc/top5'],
        train_time=train_s if trained else None)
    with open(osp.join(args.work_dir, 'teacher_results.json'), 'w') as f:
        json.dump(result, f, indent=2)
    return result


def report(teacher: dict, runs: list, settings: dict) -> str:
    """The results table, SAKD's time split and the targets, as markdown.

    Sets each run's ``rel_time`` (training time / vanilla KD's).
    """
    by_name = {r['name']: r for r in runs}
    vanilla = by_name.get('kd')
    for run in runs:
        run['rel_time'] = (
            run['train_time'] / vanilla['train_time'] if vanilla else None)
    rows = [('Teacher (tiny SlowFast, reference)', f'{teacher["top1"]:.1f}',
             f'{teacher["top5"]:.1f}', '-', '-', settings['num_train'])]
    for run in runs:
        rows.append(
            (run['label'], f'{run["top1"]:.1f}', f'{run["top5"]:.1f}',
             f'{run["train_time"]:.0f}',
             '-' if run['rel_time'] is None else f'{run["rel_time"]:.2f}x',
             run.get('subset_size') or settings['num_train']))
    lines = [
        '# SAKD demo: tiny SlowFast on the synthetic action dataset', '',
        f'{settings["num_train"]} training / {settings["num_val"]} '
        f'validation clips, {settings["epochs"]} epochs per run, seed '
        f'{settings["seed"]}, {settings["machine"]}. Top-1/top-5 on the '
        'validation split after the last epoch. Training time excludes '
        'validation and checkpointing and includes SAKD\'s scoring and '
        'selection rounds.', '',
        markdown_table(('Method', 'Top-1 (%)', 'Top-5 (%)', 'Train (s)',
                        'Time vs vanilla KD', 'Clips per epoch'), rows)
    ]
    sakd_runs = [r for r in runs if 'score_time' in r]
    if sakd_runs:
        split = []
        for run in sakd_runs:
            rest = run['train_time'] - run['score_time'] - run['select_time']
            split.append(
                (run['label'], run['rounds'], f'{run["score_time"]:.1f}',
                 f'{run["select_time"]:.2f}', f'{rest:.1f}',
                 f'{run["train_time"]:.1f}'))
        lines += [
            '', '## Where SAKD\'s training time goes (seconds)', '',
            markdown_table(('Run', 'Rounds', 'Scoring (every clip)',
                            'Selection', 'Training on the subset', 'Total'),
                           split)
        ]
    checks = []
    for name, limit in (('sakd_i5', 0.25), ('sakd_i1', 0.8)):
        run = by_name.get(name)
        if run and vanilla:
            met = run['top1'] >= vanilla['top1'] and run['rel_time'] <= limit
            checks.append(
                f'- {run["label"]}: top-1 {run["top1"]:.1f} >= vanilla KD\'s '
                f'{vanilla["top1"]:.1f} at <= {limit}x its time '
                f'({run["rel_time"]:.2f}x): **{"met" if met else "missed"}**')
    dpp, rand = by_name.get('sakd_i1'), by_name.get('sakd_random')
    if dpp and rand:
        met = dpp['top1'] > rand['top1']
        checks.append(
            f'- DPP selection (top-1 {dpp["top1"]:.1f}) beats random '
            f'selection ({rand["top1"]:.1f}) at the same r: '
            f'**{"met" if met else "missed"}**')
    if checks:
        lines += ['', '## Targets', ''] + checks
    return '\n'.join(lines) + '\n'


def main():
    args = parse_args()
    wall = time.time()
    if args.quick:
        args.work_dir = osp.join(args.work_dir, 'quick')
        args.data_root = osp.join(args.work_dir, 'data')
        args.teacher_ckpt = osp.join(args.work_dir, 'teacher.pth')
        data_cfg = SyntheticActionConfig(
            num_train=40, num_val=20, seed=args.seed)
    else:
        data_cfg = SyntheticActionConfig(seed=args.seed)
    epochs = args.epochs or (2 if args.quick else
                             Config.fromfile(SAKD_CONFIG).train_cfg.max_epochs)
    os.makedirs(args.work_dir, exist_ok=True)
    total = 3 + len(args.runs)

    step(f'1/{total} synthetic dataset in {args.data_root}')
    if dataset_is_complete(args.data_root, data_cfg):
        print('already generated')
    else:
        generate_dataset(args.data_root, data_cfg)
        print()

    step(f'2/{total} tiny SlowFast teacher ({TEACHER_CONFIG})')
    teacher = train_teacher(args)
    print(f'teacher top-1 {teacher["top1"]:.1f}, top-5 {teacher["top5"]:.1f}')

    runs = []
    for i, name in enumerate(args.runs):
        label, config, _ = RUNS[name]
        step(f'{3 + i}/{total} student run {i + 1}/{len(args.runs)}: '
             f'{label} ({config}, {epochs} epochs)')
        cfg = _build_run_cfg(args, name, epochs)
        result = run_experiment(
            cfg,
            name,
            force=args.force,
            extra=dict(label=label, config=config))
        runs.append(result)
        print(f'{label}: top-1 {result["top1"]:.1f}, top-5 '
              f'{result["top5"]:.1f}, trained in {result["train_time"]:.0f}s')

    step(f'{total}/{total} results and plots in {args.work_dir}')
    settings = dict(
        seed=args.seed,
        epochs=epochs,
        num_train=data_cfg.num_train,
        num_val=data_cfg.num_val,
        machine=f'{os.cpu_count()} CPU cores, {torch.get_num_threads()} '
        f'torch threads' + (f', {torch.cuda.get_device_name()}'
                            if torch.cuda.is_available() else ''),
        teacher=teacher)
    text = report(teacher, runs, settings)
    plots = [
        plot_accuracy_vs_time(
            runs,
            osp.join(args.work_dir, 'accuracy_vs_time.png'),
            title='Top-1 vs training time: tiny SlowFast, synthetic data')
    ]
    for run in runs:
        if 'score_time' in run:
            plots += plot_run(
                run['work_dir'],
                out_dir=args.work_dir,
                prefix=f'{run["name"]}_')
    settings['wall_time'] = round(time.time() - wall, 1)
    text += '\n## Plots\n\n' + '\n'.join(
        f'![{osp.basename(p)}]({osp.basename(p)})' for p in plots) + '\n'
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(dict(settings=settings, runs=runs), f, indent=2)
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(text)
    print(text)
    print(f'results: {osp.join(args.work_dir, "results.md")} and '
          f'results.json; plots: {", ".join(plots)}')
    print(f'demo finished in {settings["wall_time"]:.0f}s')


if __name__ == '__main__':
    main()
