"""Blocks of candidates for blocked DPP selection, and per-block counts."""
from typing import List, Optional, Sequence, Union

import torch
from torch import Tensor

PARTITIONS = ('class', 'random')


def allocate_counts(block_sizes: Sequence[int], k: int) -> List[int]:
    """Split ``k`` picks over blocks in proportion to their sizes.

    Largest-remainder (Hamilton) rounding of the quotas
    ``k * n_b / sum(n)``, computed in exact integer arithmetic: every block
    gets the floor of its quota, and the ``k - sum(floors)`` left over go one
    each to the blocks with the largest remainders, the lower block index
    first on equal remainders. The counts sum to exactly ``k`` and never
    exceed a block's size (a block only gets one more than its floor when
    its quota is not whole, and the quota is at most its size).

    Args:
        block_sizes (Sequence[int]): Sizes ``n_b`` of the blocks, >= 0.
        k (int): Total picks, in ``[0, sum(block_sizes)]``.

    Returns:
        list[int]: The count of each block.
    """
    sizes = [int(n) for n in block_sizes]
    if any(n < 0 for n in sizes):
        raise ValueError(f'block_sizes must be >= 0, got {sizes}')
    total = sum(sizes)
    if not 0 <= k <= total:
        raise ValueError(f'k must be in [0, sum(block_sizes)={total}], '
                         f'got {k}')
    if total == 0:
        return [0] * len(sizes)
    counts = [k * n // total for n in sizes]
    remainders = [k * n % total for n in sizes]
    left = k - sum(counts)
    order = sorted(range(len(sizes)), key=lambda b: (-remainders[b], b))
    for b in order[:left]:
        counts[b] += 1
    return counts


def _split_even(indices: Tensor, block_size: int,
                generator: torch.Generator) -> List[Tensor]:
    """Randomly split into ``ceil(n / block_size)`` blocks of near-equal size.

    Each block is sorted, so that ties inside a block still go to the lowest
    dataset index.
    """
    n = indices.numel()
    num_blocks = -(-n // block_size)
    perm = torch.randperm(n, generator=generator).to(indices.device)
    shuffled = indices[perm]
    base, extra = divmod(n, num_blocks)
    sizes = [base + 1] * extra + [base] * (num_blocks - extra)
    return [b.sort().values for b in torch.split(shuffled, sizes)]


def partition_blocks(num_samples: int,
                     labels: Optional[Union[Tensor, Sequence[int]]] = None,
                     partition: str = 'class',
                     block_size: int = 4096,
                     seed: int = 0,
                     device: Optional[Union[str, torch.device]] = None
                     ) -> List[Tensor]:
    """Partition ``range(num_samples)`` into blocks of at most ``block_size``.

    - ``'class'``: one block per label, in ascending label order; a class
      larger than ``block_size`` is split at random (seeded by ``seed``) into
      ``ceil(n / block_size)`` blocks of near-equal size.
    - ``'random'``: a seeded random split of all samples into
      ``ceil(N / block_size)`` blocks of near-equal size.

    Args:
        num_samples (int): The number of candidates ``N``, >= 0.
        labels (Tensor | Sequence[int], optional): ``(N,)`` integer class
            labels, needed by ``'class'``. Defaults to None.
        partition (str): ``'class'`` or ``'random'``. Defaults to ``'class'``.
        block_size (int): The largest block, >= 1. Defaults to 4096.
        seed (int): Seed of the random splits. Defaults to 0.
        device (str | torch.device, optional): Device of the returned
            indices; the device of ``labels`` when None. Defaults to None.

    Returns:
        list[Tensor]: int64 index tensors, each sorted; together a partition
        of ``range(num_samples)``.
    """
    if num_samples < 0:
        raise ValueError(f'num_samples must be >= 0, got {num_samples}')
    if partition not in PARTITIONS:
        raise ValueError(
            f'partition must be one of {PARTITIONS}, got {partition!r}')
    if type(block_size) is not int or block_size < 1:  # bool is not int here
        raise ValueError(f'block_size must be an int >= 1, got {block_size}')
    generator = torch.Generator().manual_seed(int(seed))

    if partition == 'random':
        everything = torch.arange(num_samples, device=device)
        if num_samples == 0:
            return []
        return _split_even(everything, block_size, generator)

    if labels is None:
        raise ValueError("partition='class' needs labels; pass labels or use "
                         "partition='random'")
    labels = torch.as_tensor(labels)
    if device is not None:
        labels = labels.to(device)
    if labels.dim() != 1 or labels.numel() != num_samples:
        raise ValueError(f'labels must have shape ({num_samples},), got '
                         f'{tuple(labels.shape)}')
    if labels.is_floating_point() or labels.is_complex():
        raise ValueError(f'labels must be integers, got {labels.dtype}')
    if num_samples == 0:
        return []
    # A stable sort keeps ascending sample indices inside each class.
    order = torch.argsort(labels, stable=True)
    _, counts = torch.unique_consecutive(labels[order], return_counts=True)
    blocks = []
    for members in torch.split(order, counts.tolist()):
        if members.numel() <= block_size:
            blocks.append(members)
        else:
            blocks.extend(_split_even(members, block_size, generator))
    return blocks
