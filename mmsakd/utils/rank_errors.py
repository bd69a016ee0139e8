"""Stop every rank of a distributed run with the same error.

A check that fails on one rank only (a batch of unreadable clips, too many
skipped clips) would raise there while the other ranks wait in their next
collective (DDP's gradient all-reduce, a gather of losses) until the
backend's timeout, and the message would be in one rank's output only.
"""
import importlib
from typing import List, Optional, Tuple

import torch
from mmengine.dist import all_gather_object, all_reduce, get_dist_info


def raise_on_every_rank(error: Optional[BaseException]) -> None:
    """Raise the same error on every rank if any rank has one.

    A collective: every rank calls it at the same point, with the error it
    met there or None. The ranks sum a one-element error flag; only when it
    is set do they gather the errors, and then every rank raises the error
    of the lowest failing rank, of its type (``RuntimeError`` where that
    type cannot be rebuilt from a message), with the message prefixed by
    ``rank <r> of <world_size>: ``. Each failing rank's own error is chained
    to it (``raise ... from``), so its traceback is kept.

    Outside a distributed run, ``error`` is raised unchanged.

    Args:
        error (BaseException, optional): This rank's error, or None.
    """
    _, world_size = get_dist_info()
    if world_size == 1:
        if error is not None:
            raise error
        return
    flag = torch.tensor([int(error is not None)])
    all_reduce(flag)
    if not flag.item():
        return
    # Names and text only: an error object or its class may not pickle,
    # and a rank whose gather failed would leave the others waiting.
    mine = None
    if error is not None:
        cls = type(error)
        mine = (cls.__module__, cls.__qualname__, str(error))
    errors: List[Optional[Tuple[str, str, str]]] = all_gather_object(mine)
    first = next(r for r, e in enumerate(errors) if e is not None)
    module, qualname, message = errors[first]
    raise _rebuild(module, qualname,
                   f'rank {first} of {world_size}: {message}') from error


def _rebuild(module: str, qualname: str, message: str) -> BaseException:
    """An error of the named class with ``message``, or a RuntimeError."""
    try:
        cls = importlib.import_module(module)
        for name in qualname.split('.'):
            cls = getattr(cls, name)
        error = cls(message)
    except Exception:
        return RuntimeError(message)
    if not isinstance(error, BaseException):
        return RuntimeError(message)
    return error
