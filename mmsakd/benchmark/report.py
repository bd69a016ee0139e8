"""What a study writes: results.md (settings, the table, sections such as a
regime's calibration, where the training time goes), results.json and the
accuracy-vs-time and frontier plots."""
import json
import os
import os.path as osp
from typing import Dict, Sequence

from .summary import results_table, time_split_table


def machine() -> str:
    """The CPU cores, torch threads and GPU the runs train on."""
    import torch
    text = (f'{os.cpu_count()} CPU cores, {torch.get_num_threads()} torch '
            'threads')
    if torch.cuda.is_available():
        text += f', {torch.cuda.get_device_name()}'
    return text


def _what_is_measured(base: str) -> str:
    return (
        'Top-1/top-5 on the validation split after the last epoch, mean ± '
        f'std over seeds; "vs {base}" is the mean ± std of the per-seed '
        'differences (paired, same seed). Training time covers each epoch '
        'from its start to its last iteration: data loading, SAKD scoring '
        'and selection included, validation and checkpoints excluded. '
        f'"Time to X %" is the training time at which the mean curve first '
        f'reaches X % of {base}\'s final mean top-1, relative to {base}\'s '
        'mean total time. "Data wait" is the share of training time spent '
        'waiting for training batches (not scoring data).')


def report(
    title: str,
    summary: Dict,
    settings: Dict,
    scope: str = '',
    notes: Sequence[str] = (),
    sections: Sequence[str] = ()
) -> str:
    """results.md, without its plots.

    Args:
        title (str): The heading.
        summary (dict): :func:`~mmsakd.benchmark.summary.aggregate`'s
            summary.
        settings (dict): With ``seeds``, ``machine`` and ``date``.
        scope (str): The start of the settings sentence (data, epochs),
            ending in ', '. Defaults to ''.
        notes (Sequence[str]): Paragraphs before the table. Defaults to ().
        sections (Sequence[str]): Lines after the table. Defaults to ().

    Returns:
        str: The markdown.
    """
    lines = [
        f'# {title}', '',
        f'{scope}seeds {settings["seeds"]}, {settings["machine"]}, '
        f'{settings["date"]}. ' +
        _what_is_measured(summary['baseline'] or 'baseline'), ''
    ]
    for note in notes:
        lines += [note, '']
    lines += [results_table(summary), '']
    lines += list(sections)
    lines += [
        '## Where the training time goes (mean seconds)', '',
        time_split_table(summary), ''
    ]
    return '\n'.join(lines)


def write_results(work_dir: str, text: str, out: Dict, what: str) -> str:
    """Plot the summary and write results.md and results.json.

    Args:
        work_dir (str): Where to write.
        text (str): :func:`report`'s markdown; the plots are appended.
        out (dict): What results.json holds, with ``summary`` and
            ``settings.seeds``.
        what (str): What the plot titles name (e.g. 'transfer regime').

    Returns:
        str: The whole markdown.
    """
    from mmsakd.visualization import plot_benchmark, plot_frontier
    summary, seeds = out['summary'], out['settings']['seeds']
    spread = f'(mean ± std over {len(seeds)} seed(s))'
    png = plot_benchmark(
        summary,
        osp.join(work_dir, 'accuracy_vs_time.png'),
        title=f'Top-1 vs training time, {what} {spread}')
    text += f'\n![accuracy vs time]({osp.basename(png)})\n'
    if summary['baseline'] is not None and len(summary['rows']) > 1:
        frontier = plot_frontier(
            summary,
            osp.join(work_dir, 'frontier.png'),
            title=f'Top-1 vs time relative to {summary["baseline"]}, '
            f'{what} {spread}')
        text += f'\n![frontier]({osp.basename(frontier)})\n'
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(out, f, indent=2, default=str)
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(text)
    return text
