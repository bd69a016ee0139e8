"""Argument checks shared by the selection settings and the SAKD hook, and
the exact value of a typed number (:func:`as_fraction`)."""
import math
import numbers
from decimal import Decimal
from fractions import Fraction


def check_range(name: str,
                value: float,
                low: float,
                high: float,
                low_open: bool = False,
                high_open: bool = False) -> None:
    """Raise a ValueError naming ``name`` and its interval unless ``value``
    is a number inside it.

    Args:
        name (str): The argument's name, used in the message.
        value (float): The value to check.
        low (float): The lower end of the interval.
        high (float): The upper end of the interval.
        low_open (bool): Whether ``low`` is excluded. Defaults to False.
        high_open (bool): Whether ``high`` is excluded. Defaults to False.
    """
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    ok = is_number and (value > low if low_open else value >= low) and (
        value < high if high_open else value <= high)
    if not ok:
        interval = ('(' if low_open else
                    '[') + f'{low}, {high}' + (')' if high_open else ']')
        raise ValueError(f'{name} must be in {interval}, got {value!r}')


def check_int(name: str, value: int, low: int) -> None:
    """Raise a ValueError naming ``name`` unless ``value`` is an int (not a
    bool) >= ``low``.

    Args:
        name (str): The argument's name, used in the message.
        value (int): The value to check.
        low (int): The smallest value allowed.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f'{name} must be an integer >= {low}, got {value!r}')


def check_choice(name: str, value: str, choices) -> None:
    """Raise a ValueError naming ``name`` and the choices unless ``value``
    is one of them.

    Args:
        name (str): The argument's name, used in the message.
        value (str): The value to check.
        choices (Iterable[str]): The values allowed.
    """
    choices = tuple(choices)
    if value not in choices:
        listed = ' or '.join(
            repr(c)
            for c in choices) if len(choices) <= 2 else 'one of ' + ', '.join(
                repr(c) for c in choices)
        raise ValueError(f'{name} must be {listed}, got {value!r}')


def check_bool(name: str, value: bool) -> None:
    """Raise a TypeError naming ``name`` unless ``value`` is a bool.

    Args:
        name (str): The argument's name, used in the message.
        value (bool): The value to check.
    """
    if not isinstance(value, bool):
        raise TypeError(f'{name} must be a bool, got {value!r}')


def check_file_name(name: str, value: str) -> None:
    """Raise a ValueError naming ``name`` unless ``value`` is a non-empty
    string.

    Args:
        name (str): The argument's name, used in the message.
        value (str): The value to check.
    """
    if not isinstance(value, str) or not value:
        raise ValueError(
            f'{name} must be a non-empty file name, got {value!r}')


def as_fraction(value) -> Fraction:
    """The exact value of a number as it is written.

    A float is read from its shortest representation, the decimal a user
    types: ``as_fraction(0.07)`` is ``7/100``, while the float ``0.07`` lies
    slightly above it (``0.07 * 100 == 7.000000000000001``). Counts and
    boundaries that multiply a typed fraction by a count, such as
    ``math.ceil(as_fraction(ratio) * num_samples)``, are then exact. A float
    computed by arithmetic is taken at the decimal it prints as.

    Args:
        value (int | float | Fraction | Decimal): A finite number.

    Returns:
        Fraction: Its exact value.
    """
    if isinstance(value, (numbers.Rational, Decimal)):
        return Fraction(value)
    if isinstance(value, numbers.Real) and math.isfinite(value):
        # str, not repr: numpy 2 floats repr as 'np.float64(0.07)'.
        return Fraction(str(value))
    raise ValueError(f'expected a finite number, got {value!r}')
