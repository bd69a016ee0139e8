"""Plot SAKD runs: the per-round alpha distribution and selection counts of
each work dir, and top-1 accuracy vs. training time of a demo results file.

For every ``WORK_DIR`` (holding the ``sakd_rounds.jsonl`` that ``SAKDHook``
writes) this writes ``sakd_alpha.png`` and ``sakd_selection.png``, into the
work dir or, with ``--out-dir``, into that folder (prefixed with the work
dir's name when there are several). With ``--results`` it also writes
``accuracy_vs_time.png`` (into ``--out-dir``, else next to the results
file). The written paths are printed, one a line.

Example::

    python tools/analysis/plot_sakd.py work_dirs/measure/sakd
    python tools/analysis/plot_sakd.py work_dirs/demo/runs/sakd_i1/seed0 \\
        work_dirs/demo/runs/sakd_i5/seed0 \\
        --results work_dirs/demo/results.json --out-dir work_dirs/demo/plots

Logs of an older hook lack the class of each selected sample; pass the
training annotation file (``--ann-file``) to plot per-class counts anyway.
No display is needed.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional, Sequence

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

from mmsakd.utils.logs import read_results
from mmsakd.visualization import plot_accuracy_vs_time, plot_run
from mmsakd.visualization.benchmark_plots import ACCURACY_PNG


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Plot the selection rounds of SAKD work dirs and the '
        'accuracy vs. training time of a results file')
    parser.add_argument(
        'work_dirs',
        nargs='*',
        metavar='WORK_DIR',
        help='work dir of a SAKD run (holding sakd_rounds.jsonl)')
    parser.add_argument(
        '--out-dir',
        help='folder of the PNGs (default: each work dir; the results '
        'file\'s folder for accuracy_vs_time.png)')
    parser.add_argument(
        '--results',
        help='results.json of the demo: also plot top-1 vs. training time')
    parser.add_argument('--title', help='title of the accuracy vs. time plot')
    parser.add_argument(
        '--ann-file',
        help='training annotation list ("<path> [...] <label>" a line), for '
        'per-class counts of logs without selected_labels')
    parser.add_argument(
        '--class-names', help='file with one class name a line')
    args = parser.parse_args(argv)
    if not args.work_dirs and not args.results:
        parser.error('give at least one WORK_DIR or --results')
    return args


def read_labels(ann_file: str) -> List[int]:
    """The class of every sample of an MMAction2 annotation list: the last
    token of each non-empty line."""
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'{ann_file}: no such file')
    labels = []
    with open(ann_file, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            tokens = line.split()
            if not tokens:
                continue
            try:
                labels.append(int(tokens[-1]))
            except ValueError:
                raise ValueError(f'{ann_file}, line {lineno}: the last token '
                                 f'{tokens[-1]!r} is not a class '
                                 'label') from None
    if not labels:
        raise ValueError(f'{ann_file}: no sample')
    return labels


def read_class_names(path: str) -> List[str]:
    """One class name per non-empty line of ``path``."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such file')
    with open(path, encoding='utf-8') as f:
        names = [line.strip() for line in f if line.strip()]
    if not names:
        raise ValueError(f'{path}: no class name')
    return names


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the tool; returns the exit code (0: all plots written)."""
    args = parse_args(argv)
    failed = False

    def fail(err: Exception) -> None:
        nonlocal failed
        failed = True
        print(f'error: {err}', file=sys.stderr)

    labels = class_names = None
    try:
        if args.ann_file:
            labels = read_labels(args.ann_file)
        if args.class_names:
            class_names = read_class_names(args.class_names)
    except (OSError, ValueError) as err:
        fail(err)
        return 1

    names = [osp.basename(osp.normpath(d)) for d in args.work_dirs]
    prefixed = args.out_dir is not None and len(args.work_dirs) > 1
    if prefixed and len(set(names)) < len(names):
        fail(
            ValueError('work dirs with the same name would write the same '
                       'files into --out-dir: ' + ', '.join(args.work_dirs)))
        return 1
    for work_dir, name in zip(args.work_dirs, names):
        try:
            if not osp.isdir(work_dir):
                raise FileNotFoundError(f'{work_dir}: no such work dir')
            paths = plot_run(
                work_dir,
                out_dir=args.out_dir,
                class_names=class_names,
                labels=labels,
                prefix=f'{name}_' if prefixed else '')
        except (OSError, ValueError) as err:
            fail(err)
            continue
        for path in paths:
            print(path)

    if args.results:
        try:
            runs = read_results(args.results)
            out_dir = args.out_dir or osp.dirname(osp.abspath(args.results))
            path = plot_accuracy_vs_time(
                runs, osp.join(out_dir, ACCURACY_PNG), title=args.title)
        except (OSError, ValueError) as err:
            fail(
                ValueError(f'{args.results}: {err}'
                           ) if not str(err).startswith(args.results) else err)
        else:
            print(path)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
