"""Group coverage read from canned round logs, against counts by hand."""
import json
import os
from types import SimpleNamespace

from mmsakd.benchmark.coverage import coverage_section, run_coverage
from mmsakd.benchmark.runs import run_dir
from mmsakd.selection import expected_random_coverage

# 4 groups of 3 clips: clips 3g, 3g + 1, 3g + 2 are group g.
GROUPS = [g for g in range(4) for _ in range(3)]


def _write(folder, name, subsets):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), 'w') as f:
        for i, subset in enumerate(subsets, 1):
            f.write(json.dumps(dict(round=i, selected=subset)) + '\n')


def test_run_coverage_of_each_log(tmp_path):
    _write(tmp_path / 'a', 'sakd_rounds.jsonl', [[0, 1, 2], [0, 3, 6]])
    got = run_coverage(str(tmp_path / 'a'), GROUPS)
    # 1 group, then 3; a random 3 of 12 covers 4 * (1 - C(9,3)/C(12,3)).
    random = 4 * (1 - 84 / 220)
    assert got['rounds'] == 2 and got['subset_size'] == 3
    assert got['covered'] == 2.0
    assert abs(got['random'] - random) < 1e-12
    assert abs(expected_random_coverage(GROUPS, 3) - random) < 1e-12
    _write(tmp_path / 'b', 'group_subset_rounds.jsonl', [[0, 3, 6, 9]])
    assert run_coverage(str(tmp_path / 'b'), GROUPS)['covered'] == 4
    _write(tmp_path / 'c', 'random_subset_rounds.jsonl', [[4, 5]])
    assert run_coverage(str(tmp_path / 'c'), GROUPS)['covered'] == 1
    os.makedirs(tmp_path / 'd')
    assert run_coverage(str(tmp_path / 'd'), GROUPS) is None


def test_coverage_section_rows_over_seeds(tmp_path):
    work_dir = str(tmp_path)
    _write(run_dir(work_dir, 'sakd', 0), 'sakd_rounds.jsonl', [[0, 1, 2]])
    _write(run_dir(work_dir, 'sakd', 1), 'sakd_rounds.jsonl', [[0, 3, 6]])
    runs = [
        SimpleNamespace(name='kd', label='Vanilla KD'),
        SimpleNamespace(name='sakd', label='SAKD')
    ]
    lines = coverage_section(work_dir, runs, [0, 1], GROUPS)
    assert lines[0] == '## Group coverage'
    assert 'of the 4 training groups' in lines[2]
    # Vanilla KD has no subset log: no row. SAKD covers 1 and 3 groups.
    rows = [line for line in lines if line.startswith('| ')]
    assert rows[1:] == ['| SAKD | 3 | 2.0 ± 1.4 | 2.5 |']
    assert coverage_section(work_dir, runs[:1], [0, 1], GROUPS) == []
