"""How many groups of clips cut from one video the subsets of a study's
runs cover per round, against a uniformly random subset of the same size,
read from the runs' round logs (docs/benchmarks.md#the-grouped-regime)."""
import os.path as osp
from statistics import mean
from typing import Dict, List, Optional, Sequence

from mmsakd.selection import expected_random_coverage, groups_covered
from mmsakd.utils.logs import (GROUP_SUBSET_FILE, RANDOM_SUBSET_FILE,
                               ROUNDS_FILE, read_group_subset_rounds,
                               read_random_subset_rounds, read_sakd_rounds)
from .runs import run_dir
from .summary import mean_std

#: The round logs that list each round's subset (``selected``).
SUBSET_LOGS = ((ROUNDS_FILE, read_sakd_rounds), (RANDOM_SUBSET_FILE,
                                                 read_random_subset_rounds),
               (GROUP_SUBSET_FILE, read_group_subset_rounds))


def run_coverage(folder: str, groups: Sequence[int]) -> Optional[Dict]:
    """The group coverage of one run's rounds.

    Args:
        folder (str): The run's work dir.
        groups (Sequence[int]): The group of every training clip.

    Returns:
        dict, optional: ``rounds``, the mean ``subset_size``, the mean
        number of groups ``covered`` per round and ``random``, the mean a
        uniformly random subset of each round's size covers; None for a
        run without a subset log.
    """
    for file_name, reader in SUBSET_LOGS:
        path = osp.join(folder, file_name)
        if not osp.isfile(path):
            continue
        rounds = reader(path)
        sizes = [len(record['selected']) for record in rounds]
        expected = {k: expected_random_coverage(groups, k) for k in set(sizes)}
        return dict(
            rounds=len(rounds),
            subset_size=mean(sizes),
            covered=mean(
                groups_covered(record['selected'], groups)
                for record in rounds),
            random=mean(expected[k] for k in sizes))
    return None


def coverage_section(work_dir: str, runs: Sequence, seeds: Sequence[int],
                     groups: Sequence[int]) -> List[str]:
    """The lines of results.md's group-coverage section: a row per run
    with subset logs (none without any).

    Args:
        work_dir (str): The study's work dir.
        runs (Sequence): The study's runs (``name`` and ``label``).
        seeds (Sequence[int]): Its seeds.
        groups (Sequence[int]): The group of every training clip.

    Returns:
        list[str]: The markdown lines.
    """
    rows = []
    for run in runs:
        found = [
            run_coverage(run_dir(work_dir, run.name, seed), groups)
            for seed in seeds
        ]
        found = [c for c in found if c is not None]
        if not found:
            continue
        covered = mean_std([c['covered'] for c in found])
        rows.append(
            f'| {run.label} | {mean(c["subset_size"] for c in found):.0f} | '
            f'{covered[0]:.1f} ± {covered[1]:.1f} | '
            f'{mean(c["random"] for c in found):.1f} |')
    if not rows:
        return []
    num_groups = len(set(groups))
    return [
        '## Group coverage', '',
        f'Distinct groups among each round\'s subset, of the {num_groups} '
        'training groups (mean per round, mean ± std over seeds), and the '
        'mean a uniformly random subset of the same size covers.', '',
        '| Run | Subset size | Groups covered per round | Random subset |',
        '|---|---|---|---|', *rows, ''
    ]
