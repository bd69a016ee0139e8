"""tools/analysis/store_topk_error.py: the KD loss that top-k logits leave,
read from a full store, and its errors."""
import importlib.util
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from helpers import REPO_ROOT

from mmsakd.models.utils import TeacherOutputStore

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'store_topk_error.py')


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location('store_topk_error', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _kd(target, logits, tau):
    # tau^2 * KL(p_target || p_logits), written out.
    p = F.softmax(target / tau, dim=1)
    return tau**2 * (p * (p.log() - F.log_softmax(logits / tau, dim=1))).sum(1)


def test_error_is_the_kd_loss_of_the_decoded_targets(tool):
    logits = torch.randn(64, 6, generator=torch.Generator().manual_seed(0))
    rows = tool.topk_error(logits, [1, 3, 5], tau=2.0)
    for row in rows:
        k = row['topk']
        top, classes = logits.topk(k, dim=1)
        rest = logits.scatter(1, classes, float('-inf')).logsumexp(1)
        decoded = (rest - torch.tensor(6. - k).log())[:, None].expand(
            -1, 6).scatter(1, classes, top)
        loss = _kd(logits, decoded, 2.0)
        assert row['mean'] == pytest.approx(
            float(loss.mean()), rel=1e-5, abs=1e-6)
        assert row['max'] == pytest.approx(
            float(loss.max()), rel=1e-5, abs=1e-6)
        assert row['uniform_mean'] == pytest.approx(
            float(_kd(logits, torch.zeros_like(logits), 2.0).mean()), rel=1e-5)
    # More kept logits, less loss left.
    means = [row['mean'] for row in rows]
    assert means == sorted(means, reverse=True)


def test_flat_rest_is_kept_exactly(tool):
    # Logits whose other classes are equal lose nothing to top-2.
    logits = torch.tensor([[5., 3., 0., 0., 0.], [0., 0., 4., 0., 1.]])
    row, = tool.topk_error(logits, [2], tau=4.0)
    assert row['max'] == pytest.approx(0., abs=1e-6)


def test_reads_a_full_store_and_refuses_others(tool, tmp_path, capsys):
    logits = torch.randn(3, 5, generator=torch.Generator().manual_seed(1))
    store = TeacherOutputStore(
        str(tmp_path / 'full'), {'teacher weights': 'a'},
        2,
        4,
        5,
        dtype='float32')
    store.write(torch.tensor([0, 1, 1]), torch.tensor([0, 2, 3]), logits)
    store.flush()
    torch.testing.assert_close(
        tool.stored_rows(str(tmp_path / 'full')), logits)
    tool.main([str(tmp_path / 'full'), '--topk', '2', '--tau', '4'])
    assert '3 stored rows of 5 classes' in capsys.readouterr().out
    TeacherOutputStore(
        str(tmp_path / 'top'), {'teacher weights': 'a'}, 1, 4, 5, topk=2)
    with pytest.raises(ValueError, match='keeps top-2 logits only'):
        tool.stored_rows(str(tmp_path / 'top'))
    with pytest.raises(FileNotFoundError, match='not a teacher-output store'):
        tool.stored_rows(str(tmp_path))
    with pytest.raises(ValueError, match=r'--topk values must be in \[1, 5\)'):
        tool.topk_error(logits, [5], tau=4.0)
    with pytest.raises(SystemExit):
        tool.parse_args([str(tmp_path), '--tau', '0'])
