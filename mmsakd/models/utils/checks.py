"""Type checks of config arguments."""
from typing import Optional

import torch
from torch import Tensor


def is_number(value) -> bool:
    """Whether ``value`` is an int or float (bools excluded)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_int(value) -> bool:
    """Whether ``value`` is an int (bools excluded)."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_sample_vector(name: str,
                        values,
                        high: Optional[float] = None) -> Tensor:
    """A float32 CPU copy of a per-sample vector, checked.

    Args:
        name (str): The argument's name, in the messages.
        values (Tensor): ``(N,)`` finite values >= 0, one per training
            sample.
        high (float, optional): The largest value allowed; None: no bound.
            Defaults to None.

    Returns:
        Tensor: The values, detached, on the CPU, float32, copied.
    """
    if not isinstance(values, Tensor):
        raise TypeError(f'{name} must be a 1-D tensor or None, got '
                        f'{type(values).__name__}')
    if values.dim() != 1 or values.numel() == 0:
        raise ValueError(f'{name} must be a non-empty 1-D tensor (one value '
                         'per training sample), got shape '
                         f'{tuple(values.shape)}')
    values = values.detach().to(device='cpu', dtype=torch.float32)
    bad = not torch.isfinite(values).all() or values.min() < 0
    if high is not None:
        bad = bad or values.max() > high
    if bad:
        bounds = 'finite and >= 0' if high is None else f'in [0, {high:g}]'
        raise ValueError(f'{name} values must be {bounds}, got min '
                         f'{values.min().item()} and max '
                         f'{values.max().item()}')
    return values.clone()
