"""Type checks of config arguments."""


def is_number(value) -> bool:
    """Whether ``value`` is an int or float (bools excluded)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_int(value) -> bool:
    """Whether ``value`` is an int (bools excluded)."""
    return isinstance(value, int) and not isinstance(value, bool)
