"""Interruption-rate schedule of SAKD (Eq. 4,
docs/method.md#interruption-rate)."""
import math


def interruption_rate(epoch: float,
                      max_epochs: float,
                      theta: float = 0.9) -> float:
    """Interruption rate ``beta(n) = 1 - (1 - n / E) ** theta`` (Eq. 4).

    It grows monotonically from ``beta(0) = 0`` to ``beta(E) = 1`` along the
    poly learning-rate curve, so the interruption is weak early in training
    and strong late.

    Args:
        epoch (float): The 0-based epoch ``n``, in ``[0, max_epochs]``.
        max_epochs (float): The number of training epochs ``E``, > 0.
        theta (float): The power of the poly curve, > 0. Defaults to 0.9.

    Returns:
        float: ``beta(n)`` in ``[0, 1]``.
    """
    if not max_epochs > 0:
        raise ValueError(f'max_epochs must be > 0, got {max_epochs}')
    if not 0 <= epoch <= max_epochs:
        raise ValueError(
            f'epoch must be in [0, max_epochs={max_epochs}], got {epoch}')
    if not theta > 0:
        raise ValueError(f'theta must be > 0, got {theta}')
    rate = 1.0 - (1.0 - epoch / max_epochs)**theta
    # Guards the float result of the power against leaving [0, 1].
    return float(min(1.0, max(0.0, rate)))


def num_interrupted(rate: float, num_units: int) -> int:
    """Number of units (frames or patches) that a rate interrupts.

    Rounds ``rate * num_units`` half up (``floor(x + 0.5)``), not to even as
    Python's :func:`round` does, so that the count does not depend on the
    parity of ``num_units``.

    Args:
        rate (float): The fraction, in ``[0, 1]``.
        num_units (int): The number of units, >= 0.

    Returns:
        int: The count, in ``[0, num_units]``.
    """
    if not 0 <= rate <= 1:
        raise ValueError(f'rate must be in [0, 1], got {rate}')
    if num_units < 0:
        raise ValueError(f'num_units must be >= 0, got {num_units}')
    # The 1e-9 absorbs float error such as 0.29 * 50 = 14.499999999999998.
    count = math.floor(rate * num_units + 0.5 + 1e-9)
    return int(min(num_units, max(0, count)))
