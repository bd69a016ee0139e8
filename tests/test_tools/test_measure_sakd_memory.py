"""tools/analysis/measure_sakd_memory.py on a small N: two gloo ranks run
SAKDHook's round, hold the same subset and strengths, and only rank 0
keeps the fused features, projected to d_max."""
import json
import os.path as osp
import subprocess
import sys

from helpers import REPO_ROOT

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'measure_sakd_memory.py')


def test_only_rank_zero_keeps_the_projected_features(tmp_path):
    out = tmp_path / 'memory.json'
    result = subprocess.run([
        sys.executable, '-W', 'ignore', TOOL, '--num-samples', '2000',
        '--channels', '64', '--d-max', '16', '--num-classes', '10',
        '--batch-size', '128', '--out',
        str(out)
    ],
                            capture_output=True,
                            text=True,
                            cwd=REPO_ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text())
    ranks = report['ranks']
    assert [r['rank'] for r in ranks] == [0, 1]
    assert ranks[0]['feat_shape'] == [2000, 16]
    assert ranks[1]['feat_shape'] is None
    assert ranks[0]['state_digest'] == ranks[1]['state_digest']
    for r in ranks:
        assert 0 < r['peak_before_round_mib'] <= r['peak_mib']
    assert 'selected 200 in' in result.stdout
