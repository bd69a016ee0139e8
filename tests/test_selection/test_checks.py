"""``as_fraction``: the exact value of a number as it is written."""
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from mmsakd.selection import as_fraction


@pytest.mark.parametrize('value, expected', [
    (0.07, Fraction(7, 100)),
    (0.14, Fraction(7, 50)),
    (0.875, Fraction(7, 8)),
    (1e-05, Fraction(1, 100000)),
    (3, Fraction(3)),
    (np.float64(0.1), Fraction(1, 10)),
    (np.float32(0.3), Fraction(3, 10)),
    (np.int64(4), Fraction(4)),
    (Decimal('0.35'), Fraction(7, 20)),
    (Fraction(1, 3), Fraction(1, 3)),
])
def test_reads_the_decimal_as_written(value, expected):
    assert as_fraction(value) == expected


def test_products_with_counts_are_exact():
    # The floats are off in the last place: 7.000000000000001,
    # 3.0000000000000004 and 14.499999999999998.
    assert 0.07 * 100 != 7 and as_fraction(0.07) * 100 == 7
    assert (1 - 0.7) * 10 != 3 and (1 - as_fraction(0.7)) * 10 == 3
    assert 0.29 * 50 != 14.5 and as_fraction(0.29) * 50 == Fraction(29, 2)


@pytest.mark.parametrize('value', [float('nan'), float('inf'), '0.1', None])
def test_refuses_what_is_not_a_finite_number(value):
    with pytest.raises(ValueError, match='expected a finite number'):
        as_fraction(value)
