"""Readers of the files that runs write into their work dirs, one function
per file; the plots, the experiment and benchmark code and the tools read
them through these.

- ``sakd_rounds.jsonl`` (:class:`SAKDHook`, a line per round):
  :func:`read_sakd_rounds`;
- ``train_time.jsonl`` (:class:`TrainTimeHook`, a line per epoch):
  :func:`read_train_time`;
- ``infobatch_epochs.jsonl`` (:class:`InfoBatchHook`, a line per epoch):
  :func:`read_infobatch_epochs`;
- ``random_subset_rounds.jsonl`` (:class:`RandomSubsetHook`, a line per
  round): :func:`read_random_subset_rounds`;
- ``group_subset_rounds.jsonl`` (:class:`GroupSubsetHook`, a line per
  round): :func:`read_group_subset_rounds`;
- ``run_result.json`` (``run_experiment``, once a run has finished):
  :func:`read_run_result`;
- ``results.json`` (the benchmark and the demo): :func:`read_results`.

A resumed run appends to its JSON-lines logs again, so a record's round or
epoch may come twice: a record numbered ``k`` supersedes every earlier one
numbered ``k`` or more, which keeps the last occurrence of each and drops
what a resumed run has not reached again. A torn last line (a writer killed
mid-write) is skipped (:mod:`mmsakd.utils.json_lines`).

This module imports only the standard library, but importing it runs
``mmsakd/__init__.py`` first (as for any ``mmsakd`` module): the
compatibility fixes and the registration of the plugin's modules, which
import torch and MMAction2. ``import mmsakd`` keeps doing both because
configs rely on ``custom_imports=dict(imports=['mmsakd'])`` for them.
"""
import json
import os.path as osp
from typing import Dict, List

from .json_lines import iter_json_lines

ROUNDS_FILE = 'sakd_rounds.jsonl'
TIME_FILE = 'train_time.jsonl'
INFOBATCH_FILE = 'infobatch_epochs.jsonl'
RANDOM_SUBSET_FILE = 'random_subset_rounds.jsonl'
GROUP_SUBSET_FILE = 'group_subset_rounds.jsonl'
#: A finished run's summary (``mmsakd.apis.run_experiment``).
RESULT_FILE = 'run_result.json'


def read_sakd_rounds(path: str) -> List[dict]:
    """The selection rounds that ``SAKDHook`` logged, one per round.

    Args:
        path (str): A ``sakd_rounds.jsonl`` file or a work dir holding one.

    Returns:
        list[dict]: One record per round, in increasing ``round`` order.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If the file holds no record, or a line is not a JSON
            object with a positive integer ``round`` (the message names the
            file and the line number).
    """
    return _read_log(path, ROUNDS_FILE, 'SAKDHook', 'round', 1,
                     'selection round')


def read_train_time(path: str) -> List[dict]:
    """The epochs that ``TrainTimeHook`` logged, one per epoch, with the
    validation metrics of the epochs that were validated.

    Args:
        path (str): A ``train_time.jsonl`` file or a work dir holding one.

    Returns:
        list[dict]: One record per epoch (1-based ``epoch``), in order.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If the file holds no record, or a line is not a JSON
            object with a positive integer ``epoch``.
    """
    return _read_log(path, TIME_FILE, 'TrainTimeHook', 'epoch', 1, 'epoch')


def read_infobatch_epochs(path: str) -> List[dict]:
    """The epochs that ``InfoBatchHook`` logged, one per epoch.

    Args:
        path (str): An ``infobatch_epochs.jsonl`` file or a work dir holding
            one.

    Returns:
        list[dict]: One record per epoch (0-based ``epoch``), in order.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If the file holds no record, or a line is not a JSON
            object with a non-negative integer ``epoch``.
    """
    return _read_log(path, INFOBATCH_FILE, 'InfoBatchHook', 'epoch', 0,
                     'epoch')


def read_random_subset_rounds(path: str) -> List[dict]:
    """The subsets that ``RandomSubsetHook`` drew, one per round.

    Args:
        path (str): A ``random_subset_rounds.jsonl`` file or a work dir
            holding one.

    Returns:
        list[dict]: One record per round, in increasing ``round`` order.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If the file holds no record, or a line is not a JSON
            object with a positive integer ``round``.
    """
    return _read_log(path, RANDOM_SUBSET_FILE, 'RandomSubsetHook', 'round', 1,
                     'round')


def read_group_subset_rounds(path: str) -> List[dict]:
    """The subsets that ``GroupSubsetHook`` drew, one per round.

    Args:
        path (str): A ``group_subset_rounds.jsonl`` file or a work dir
            holding one.

    Returns:
        list[dict]: One record per round, in increasing ``round`` order.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If the file holds no record, or a line is not a JSON
            object with a positive integer ``round``.
    """
    return _read_log(path, GROUP_SUBSET_FILE, 'GroupSubsetHook', 'round', 1,
                     'round')


def read_run_result(path: str) -> Dict:
    """The summary that ``run_experiment`` wrote once a run finished.

    Args:
        path (str): A ``run_result.json`` file or a work dir holding one.

    Returns:
        dict: The summary, as written.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it is not valid JSON or not a JSON object.
    """
    if osp.isdir(path):
        path = osp.join(path, RESULT_FILE)
    result = _read_json(path)
    if not isinstance(result, dict):
        raise ValueError(f'{path}: expected a JSON object, got '
                         f'{type(result).__name__}')
    return result


def read_results(path: str) -> List[dict]:
    """The runs of a ``results.json``, as the accuracy plot draws them.

    Args:
        path (str): A JSON file ``{"settings": ..., "runs": [...]}``, or
            the ``results.json`` of ``tools/analysis/benchmark_sakd.py``
            and the demo, whose ``summary.rows`` become runs with their
            mean curves over seeds (:func:`benchmark_runs`).

    Returns:
        list[dict]: Its runs.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it is not valid JSON or has neither a non-empty
            ``runs`` list nor ``summary.rows``.
    """
    results = _read_json(path)
    runs = results.get('runs') if isinstance(results, dict) else None
    summary = results.get('summary') if isinstance(results, dict) else None
    if runs is None and isinstance(summary, dict) and isinstance(
            summary.get('rows'), list) and summary['rows']:
        runs = benchmark_runs(summary)
    if not isinstance(runs, list) or not runs:
        raise ValueError(f'{path}: expected an object with a non-empty '
                         '"runs" list or "summary.rows"')
    return runs


def benchmark_runs(summary: Dict) -> List[dict]:
    """The rows of a benchmark summary
    (:func:`mmsakd.apis.benchmark.aggregate`) as runs of
    :func:`mmsakd.visualization.plot_accuracy_vs_time`.

    Args:
        summary (dict): With ``rows``, each with ``run`` or ``label``,
            ``curve`` and ``rel_time`` (``(mean, std)`` or None).

    Returns:
        list[dict]: ``label``, mean ``curve`` and mean ``rel_time`` of each
        row.
    """
    return [
        dict(
            label=row.get('label') or row.get('run'),
            curve=row.get('curve'),
            rel_time=None if not row.get('rel_time') else row['rel_time'][0])
        for row in summary['rows']
    ]


def _read_log(path: str, file_name: str, writer: str, key: str, first: int,
              what: str) -> List[dict]:
    """The records of a JSON-lines log numbered by ``key`` (integers from
    ``first``), a later record superseding those numbered as high or
    higher."""
    if osp.isdir(path):
        path = osp.join(path, file_name)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path}: no such file ({writer} writes {file_name} into the '
            'work dir of a run)')
    records: List[dict] = []
    for lineno, record in iter_json_lines(path):
        if not isinstance(record, dict):
            raise ValueError(f'{path}, line {lineno}: expected a JSON '
                             f'object, got {type(record).__name__}')
        number = record.get(key)
        if (isinstance(number, bool) or not isinstance(number, int)
                or number < first):
            kind = 'positive' if first == 1 else 'non-negative'
            raise ValueError(f'{path}, line {lineno}: "{key}" must be a '
                             f'{kind} integer, got {number!r}')
        while records and records[-1][key] >= number:
            records.pop()
        records.append(record)
    if not records:
        raise ValueError(f'{path}: the file holds no {what}')
    return records


def _read_json(path: str):
    """The object in a JSON file; errors name the file."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such file')
    with open(path, encoding='utf-8') as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f'{path}: malformed JSON ({err.msg}, line '
                             f'{err.lineno}, column {err.colno})') from None
