"""Schedules of SAKD: the interruption rate (Eq. 4,
docs/method.md#interruption-rate) and the selection ratio of each round
(docs/method.md#ratio-schedule)."""
import math
from fractions import Fraction

from .checks import as_fraction, check_choice, check_int, check_range


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
    parity of ``num_units``. The product is exact for the rate as written
    (:func:`~mmsakd.selection.as_fraction`): ``0.29 * 50`` is 14.5 and
    rounds to 15, where the float product ``14.499999999999998`` would not.

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
    count = math.floor(as_fraction(rate) * num_units + Fraction(1, 2))
    return int(min(num_units, max(0, count)))


#: Shapes of :func:`round_ratio`: the fraction of the way from ``start`` to
#: ``end`` after a fraction ``t`` of the rounds.
RATIO_SHAPES = {
    'linear': lambda t: t,
    'cosine': lambda t: (1.0 - math.cos(math.pi * t)) / 2.0,
}


def round_ratio(round_index: int,
                num_rounds: int,
                start: float,
                end: float,
                shape: str = 'linear') -> float:
    """Selection ratio of one round of a ratio schedule
    (docs/method.md#ratio-schedule).

    The first round selects ``start``, the last ``end``, the rounds between
    follow ``shape`` over ``t = round_index / (num_rounds - 1)``: ``'linear'``
    moves in equal steps, ``'cosine'`` moves slowly at both ends and fastest
    half-way. A single round selects ``start``. The linear path is computed
    exactly from the ratios as written, so that a ratio whose exact value is
    a short decimal is that float: half-way from 0.1 to 0.5 is 0.3, not
    ``0.30000000000000004``, and sizes the same subset as a typed 0.3
    (:func:`~mmsakd.selection.subset_size`).

    Args:
        round_index (int): The 0-based round, in ``[0, num_rounds)``.
        num_rounds (int): The rounds of the run, >= 1.
        start (float): Ratio of the first round, in ``(0, 1]``.
        end (float): Ratio of the last round, in ``(0, 1]``.
        shape (str): A key of :data:`RATIO_SHAPES`. Defaults to 'linear'.

    Returns:
        float: The round's ratio, between ``start`` and ``end``.
    """
    check_int('num_rounds', num_rounds, 1)
    if not isinstance(round_index, int) or \
            not 0 <= round_index < num_rounds:
        raise ValueError(f'round_index must be an integer in [0, '
                         f'{num_rounds}), got {round_index!r}')
    check_range('start', start, 0, 1, low_open=True)
    check_range('end', end, 0, 1, low_open=True)
    check_choice('shape', shape, RATIO_SHAPES)
    if num_rounds == 1:
        return float(start)
    t = RATIO_SHAPES[shape](Fraction(round_index, num_rounds - 1))
    first, last = as_fraction(start), as_fraction(end)
    # A Fraction for the linear shape, a float for the cosine one.
    ratio = first + (last - first) * t
    # Stays within [min, max] of the ends despite float rounding.
    return float(min(max(first, last), max(min(first, last), ratio)))
