"""tools/analysis/benchmark.py on the grouped regime: a 2-epoch smoke run of
configs/studies/grouped.py with SAKD and the group-spread control, its
grouped data and the group-coverage table of results.md."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
from helpers import REPO_ROOT

from mmsakd.datasets.groups import clip_groups

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'benchmark.py')
STUDY = osp.join(REPO_ROOT, 'configs', 'studies', 'grouped.py')
# Run on one pytest-xdist worker: the tests share one run of the benchmark.
pytestmark = pytest.mark.xdist_group('benchmark_grouped')


@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('grouped')
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', '1')
    result = subprocess.run([
        sys.executable, '-W', 'ignore', TOOL, STUDY, '--quick', '--seeds', '0',
        '--runs', 'kd,sakd_i1,group_random_kd_i1', '--work-dir',
        str(work_dir)
    ],
                            capture_output=True,
                            text=True,
                            cwd=REPO_ROOT,
                            timeout=900,
                            env=env)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    with open(osp.join(work_dir, 'results.md')) as f:
        markdown = f.read()
    return dict(work_dir=str(work_dir), markdown=markdown)


def test_trains_on_groups_split_by_group(bench):
    data = osp.join(bench['work_dir'], 'data')
    # The transfer regime's source, shared; the target of its own.
    assert sorted(
        os.listdir(data)) == ['grouped_target_aug', 'transfer_source_aug']
    target = osp.join(data, 'grouped_target_aug')
    train = clip_groups(osp.join(target, 'train.txt'))
    val = clip_groups(osp.join(target, 'val.txt'))
    assert len(train) == 20 and len(set(train)) == 4
    assert len(val) == 10 and len(set(val)) == 2
    # A smoke run caches its checkpoints in its work dir.
    names = sorted(os.listdir(osp.join(bench['work_dir'], 'checkpoints')))
    assert any(n.startswith('transfer_teacher_source-') for n in names)
    assert any(n.startswith('grouped_teacher-') for n in names)


def test_results_report_group_coverage(bench):
    text = bench['markdown']
    assert text.startswith('# SAKD benchmark, grouped regime\n\n20 training '
                           '/ 10 validation clips of 10 classes, in 4 / 2 '
                           'groups of 5 clips cut from one video, ')
    section = text.split('## Group coverage')[1].split('\n## ')[0]
    rows = {
        line.split(' | ')[0][2:]: line.split(' | ')[1:]
        for line in section.splitlines() if line.startswith('| ')
    }
    # k = ceil(0.1 * 20) = 2: the group-spread control covers 2 groups in
    # every round; vanilla KD has no subset and no row.
    assert rows['Group-spread random-subset KD, every epoch'][:2] == [
        '2', '2.0 ± 0.0'
    ]
    assert 'SAKD, every epoch' in rows and 'Vanilla KD' not in rows
    log = osp.join(bench['work_dir'], 'runs', 'group_random_kd_i1', 'seed0',
                   'group_subset_rounds.jsonl')
    with open(log) as f:
        records = [json.loads(line) for line in f]
    assert [r['groups_covered'] for r in records] == [2, 2]
    assert all(r['num_groups'] == 4 for r in records)
