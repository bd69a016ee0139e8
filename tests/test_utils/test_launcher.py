import time

import pytest
import torch.distributed as torch_dist
from mmengine.dist import broadcast_object_list

from mmsakd.utils import finish_distributed


def test_finish_distributed_outside_a_distributed_run_is_a_no_op():
    assert not torch_dist.is_initialized()
    start = time.perf_counter()
    finish_distributed(grace=5)
    # No barrier and no grace period without a process group.
    assert time.perf_counter() - start < 1
    assert not torch_dist.is_initialized()


def test_finish_distributed_destroys_the_default_group(tmp_path):
    torch_dist.init_process_group(
        'gloo',
        init_method=f'file://{tmp_path / "store"}',
        rank=0,
        world_size=1)
    try:
        data = [{'round': 3}]
        broadcast_object_list(data, src=0)
        assert data == [{'round': 3}]
        start = time.perf_counter()
        finish_distributed(grace=0.3)
        assert time.perf_counter() - start >= 0.3
        assert not torch_dist.is_initialized()
    finally:
        if torch_dist.is_initialized():
            torch_dist.destroy_process_group()


@pytest.mark.parametrize('grace', [-1, float('nan')])
def test_finish_distributed_rejects_a_bad_grace(grace):
    with pytest.raises(ValueError, match='grace'):
        finish_distributed(grace=grace)
