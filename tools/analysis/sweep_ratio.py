"""Top-1 accuracy and training time of SAKD for several selection ratios
``r`` (the paper's Fig. 3), against vanilla KD.

Trains the SAKD config once per ratio (``default_hooks.sakd.ratio``)
and, unless ``--vanilla none``, the vanilla KD config once, all with the
same seed, data and epochs; writes ``sweep.json``, ``sweep.md`` and
``sweep_ratio.png`` into ``--work-dir``. Finished runs are reused and
unfinished ones resumed, so an interrupted sweep continues where it stopped
(``--force`` retrains).

Example (the built-in synthetic data; ``make teacher`` makes the teacher)::

    python tools/analysis/sweep_ratio.py
    python tools/analysis/sweep_ratio.py --ratios 0.05,0.1,0.3 --epochs 5
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

from mmengine.config import Config, DictAction

import mmsakd  # noqa: F401  (compat fixes before mmaction.models)
from mmsakd.apis import (markdown_table, point_to_data, run_experiment,
                         sakd_hook_cfg, set_epochs)
from mmsakd.visualization import plot_ratio_sweep


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='SAKD top-1 and training time vs. selection ratio.')
    parser.add_argument(
        '--config',
        default='configs/synthetic/sakd_slowfast_tiny_synthetic.py',
        help='SAKD config (default: %(default)s)')
    parser.add_argument(
        '--vanilla',
        default='configs/synthetic/kd_slowfast_tiny_synthetic.py',
        help="vanilla KD config for reference, or 'none' "
        '(default: %(default)s)')
    parser.add_argument(
        '--ratios',
        default='0.01,0.05,0.1,0.3,0.5,1.0',
        help='comma-separated ratios in (0, 1] (default: %(default)s)')
    parser.add_argument(
        '--epochs', type=int, help="epochs of every run (default: config's)")
    parser.add_argument('--work-dir', default='work_dirs/sweep_ratio')
    parser.add_argument(
        '--data-root',
        help='synthetic dataset folder to train on (default: the configs\' '
        'data paths)')
    parser.add_argument(
        '--teacher-ckpt', help="teacher checkpoint (default: the config's)")
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='overrides for every run, as in tools/train.py')
    args = parser.parse_args()
    try:
        args.ratios = [float(r) for r in args.ratios.split(',') if r.strip()]
    except ValueError:
        parser.error(f'--ratios must be comma-separated numbers, got '
                     f'{args.ratios!r}')
    bad = [r for r in args.ratios if not 0 < r <= 1]
    if bad or not args.ratios:
        parser.error(f'--ratios must be in (0, 1], got {bad or "none"}')
    if args.epochs is not None and args.epochs < 1:
        parser.error(f'--epochs must be >= 1, got {args.epochs}')
    return args


def build_cfg(args, config: str, name: str) -> Config:
    cfg = Config.fromfile(config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = osp.join(args.work_dir, name)
    cfg.randomness = dict(seed=args.seed, deterministic=False)
    if args.data_root:
        point_to_data(cfg, args.data_root)
    if args.epochs:
        set_epochs(cfg, args.epochs)
    if args.teacher_ckpt and cfg.model.get('type') == 'SAKDDistiller':
        cfg.model.teacher_ckpt = args.teacher_ckpt
    return cfg


def main() -> None:
    args = parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    vanilla = None
    total = len(args.ratios) + (args.vanilla != 'none')
    done = 0
    if args.vanilla != 'none':
        done += 1
        print(f'\n==> {done}/{total} vanilla KD ({args.vanilla})', flush=True)
        vanilla = run_experiment(
            build_cfg(args, args.vanilla, 'vanilla'),
            'vanilla',
            force=args.force,
            extra=dict(config=args.vanilla))
    points = []
    for ratio in args.ratios:
        done += 1
        name = f'r{ratio:g}'
        print(
            f'\n==> {done}/{total} SAKD r={ratio:g} ({args.config})',
            flush=True)
        cfg = build_cfg(args, args.config, name)
        hook = sakd_hook_cfg(cfg)
        if hook is None:
            raise ValueError(
                f'{args.config} has no SAKD hook (default_hooks.sakd)')
        hook['ratio'] = ratio
        result = run_experiment(
            cfg, name, force=args.force, extra=dict(ratio=ratio))
        points.append(result)

    rows = []
    for point in points:
        rel = (f'{point["train_time"] / vanilla["train_time"]:.2f}x'
               if vanilla else '-')
        rows.append((f'{point["ratio"]:g}', f'{point["top1"]:.1f}',
                     f'{point["top5"]:.1f}', f'{point["train_time"]:.0f}', rel,
                     point.get('subset_size', '-')))
    if vanilla:
        rows.append(('vanilla KD (all)', f'{vanilla["top1"]:.1f}',
                     f'{vanilla["top5"]:.1f}', f'{vanilla["train_time"]:.0f}',
                     '1.00x', '-'))
    text = (f'# SAKD selection ratio sweep\n\n`{args.config}`, seed '
            f'{args.seed}, {points[0]["epochs"]} epochs per run.\n\n' +
            markdown_table(
                ('r', 'Top-1 (%)', 'Top-5 (%)', 'Train (s)',
                 'Time vs vanilla KD', 'Clips per epoch'), rows) + '\n')
    plot = plot_ratio_sweep(
        points, osp.join(args.work_dir, 'sweep_ratio.png'), vanilla=vanilla)
    with open(osp.join(args.work_dir, 'sweep.json'), 'w') as f:
        json.dump(
            dict(config=args.config, vanilla=vanilla, points=points),
            f,
            indent=2)
    with open(osp.join(args.work_dir, 'sweep.md'), 'w') as f:
        f.write(text + '\n![sweep_ratio.png](sweep_ratio.png)\n')
    print(text)
    print(f'wrote {osp.join(args.work_dir, "sweep.md")}, sweep.json, '
          f'{plot}')


if __name__ == '__main__':
    main()
