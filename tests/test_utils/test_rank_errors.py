"""raise_on_every_rank: the error of the lowest failing rank on every rank
(a real two-rank run is in test_broken_clips_hook.py)."""
from unittest import mock

import pytest

from mmsakd.utils import raise_on_every_rank

MODULE = 'mmsakd.utils.rank_errors'


class NeedsTwoArgs(Exception):

    def __init__(self, a, b):
        super().__init__(a, b)


def _call(error, rank, flags, gathered):
    """``raise_on_every_rank(error)`` on ``rank`` of ``len(flags)`` ranks
    whose all-reduce sums ``flags`` and whose gather returns ``gathered``.

    Returns:
        tuple: The error raised (or None) and the gather's mock.
    """

    def all_reduce(flag):
        flag.fill_(sum(flags))

    gather = mock.Mock(return_value=gathered)
    with mock.patch(f'{MODULE}.get_dist_info',
                    return_value=(rank, len(flags))), \
            mock.patch(f'{MODULE}.all_reduce', side_effect=all_reduce), \
            mock.patch(f'{MODULE}.all_gather_object', gather):
        try:
            raise_on_every_rank(error)
        except BaseException as raised:
            return raised, gather
    return None, gather


def test_one_process_raises_the_error_itself():
    raise_on_every_rank(None)
    error = ValueError('bad clip')
    with pytest.raises(ValueError) as info:
        raise_on_every_rank(error)
    assert info.value is error


def test_no_error_on_any_rank_gathers_nothing():
    raised, gather = _call(None, 1, [0, 0, 0], None)
    assert raised is None
    gather.assert_not_called()


def test_every_rank_raises_the_lowest_failing_ranks_error():
    gathered = [
        None, ('builtins', 'KeyError', 'x'), ('builtins', 'ValueError', 'y')
    ]
    # Rank 0 had no error of its own.
    raised, _ = _call(None, 0, [0, 1, 1], gathered)
    assert type(raised) is KeyError
    assert raised.args == ('rank 1 of 3: x', )
    assert raised.__cause__ is None
    # Rank 2 had another one: it is chained.
    own = ValueError('y')
    raised, gather = _call(own, 2, [0, 1, 1], gathered)
    assert type(raised) is KeyError
    assert raised.args == ('rank 1 of 3: x', )
    assert raised.__cause__ is own
    gather.assert_called_once_with(('builtins', 'ValueError', 'y'))


@pytest.mark.parametrize('module, qualname', [
    ('mmsakd.no_such_module', 'Error'),
    (__name__, 'NeedsTwoArgs'),
    ('builtins', 'len'),
])
def test_an_error_that_cannot_be_rebuilt_is_a_runtime_error(module, qualname):
    raised, _ = _call(None, 1, [1, 0], [(module, qualname, 'broken'), None])
    assert type(raised) is RuntimeError
    assert raised.args == ('rank 0 of 2: broken', )


def test_the_failing_rank_shares_names_and_text_only():
    error = NeedsTwoArgs('a', 'b')
    shared = (__name__, 'NeedsTwoArgs', "('a', 'b')")
    raised, gather = _call(error, 0, [1, 0], [shared, None])
    gather.assert_called_once_with(shared)
    assert type(raised) is RuntimeError and raised.__cause__ is error
