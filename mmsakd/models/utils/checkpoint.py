"""Loading recognizer weights from plain and distillation checkpoints.

A checkpoint of :class:`SAKDDistiller` holds the student's weights under
``student.`` and, with ``save_teacher=True``, the teacher's under
``teacher.``; one saved from a DDP-wrapped model has ``module.`` in front.
Files are read with MMEngine's :class:`CheckpointLoader` (local paths and
URLs) and keys are revised as MMEngine's ``load_checkpoint`` does.
Checkpoints are pickles: load only files from a trusted source.
"""
import logging
import os.path as osp
import re
from collections import OrderedDict
from typing import Optional, Sequence, Tuple

from mmengine.logging import print_log
from mmengine.runner.checkpoint import _load_checkpoint
from torch import nn

#: Key prefixes of the two models in a distillation checkpoint.
STUDENT_PREFIX = 'student.'
TEACHER_PREFIX = 'teacher.'
#: The ``revise_keys`` default of MMEngine's ``load_checkpoint``: strips the
#: ``module.`` of a DDP-wrapped model.
DDP_REVISE_KEYS = ((r'^module\.', ''), )


def read_checkpoint(filename: str, logger: str = 'current'):
    """Load a checkpoint (path or URL) onto the CPU.

    Args:
        filename (str): Local path (``~`` expanded) or URL.
        logger (str): Where MMEngine logs the loading; ``'silent'`` for
            none. Defaults to ``'current'``.

    Returns:
        The loaded object, normally a dict.
    """
    if '://' not in filename:
        filename = osp.expanduser(filename)
    return _load_checkpoint(filename, map_location='cpu', logger=logger)


def checkpoint_state_dict(
    checkpoint,
    revise_keys: Sequence[Tuple[str, str]] = DDP_REVISE_KEYS
) -> Optional[OrderedDict]:
    """The state dict of a loaded checkpoint with its keys revised.

    Args:
        checkpoint: A loaded checkpoint: a dict with ``state_dict``, or a
            state dict itself.
        revise_keys (Sequence[tuple[str, str]]): ``(pattern, replacement)``
            regular expressions applied to every key, in order, as in
            MMEngine's ``load_checkpoint``. Defaults to
            :data:`DDP_REVISE_KEYS`.

    Returns:
        OrderedDict, optional: The revised state dict; None if there is no
        dict.
    """
    if not isinstance(checkpoint, dict):
        return None
    state = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state, dict):
        return None
    state = OrderedDict(state)
    for pattern, replacement in revise_keys:
        state = OrderedDict((re.sub(pattern, replacement, key), value)
                            for key, value in state.items())
    return state


def strip_prefix(state_dict: dict, prefix: str) -> OrderedDict:
    """The entries of ``state_dict`` under ``prefix``, without it.

    Args:
        state_dict (dict): A state dict.
        prefix (str): E.g. :data:`STUDENT_PREFIX`.

    Returns:
        OrderedDict: Empty if no key starts with ``prefix``.
    """
    return OrderedDict((key[len(prefix):], value)
                       for key, value in state_dict.items()
                       if key.startswith(prefix))


def load_recognizer_checkpoint(model: nn.Module,
                               ckpt: str,
                               name: str,
                               skip_mismatched: bool = False,
                               strict: bool = False,
                               opt_out: Optional[str] = None) -> None:
    """Load a recognizer checkpoint into the teacher or the student.

    Accepts plain recognizer checkpoints and distillation checkpoints (keys
    ``student.*`` or ``teacher.*``, matching ``name``), also when saved from
    a DDP-wrapped model (``module.*``). Missing and unexpected keys are
    logged, as a warning if there are any.

    Args:
        model (nn.Module): The recognizer to load into.
        ckpt (str): Path (relative to the current directory) or URL.
        name (str): ``'teacher'`` or ``'student'``: the prefix looked for,
            and the config key ``model.<name>_ckpt`` named in messages.
        skip_mismatched (bool): Leave out, and log, tensors whose shape
            differs from the model's (e.g. the classifier of a checkpoint
            trained on another label set) instead of raising.
            Defaults to False.
        strict (bool): Raise, naming the first keys and the checkpoint, if
            any of the model's tensors (``num_batches_tracked`` aside) is
            missing from the checkpoint, instead of logging a warning. A
            shape mismatch raises unless ``skip_mismatched``.
            Defaults to False.
        opt_out (str, optional): The config key that turns ``strict`` off,
            named in its error. Defaults to None.
    """
    key = f'model.{name}_ckpt'
    if '://' not in ckpt and not osp.isfile(osp.expanduser(ckpt)):
        hint = ('train the teacher first, e.g. with `make teacher`, or set '
                f'{key}') if name == 'teacher' else f'set {key}'
        raise FileNotFoundError(
            f'{name} checkpoint not found: {ckpt!r} (config key {key}, '
            f'relative to the current directory {osp.abspath(".")}); {hint}')
    state = checkpoint_state_dict(read_checkpoint(ckpt))
    if state is None:
        raise ValueError(f'{key}={ckpt!r} holds no state dict')
    state = strip_prefix(state, f'{name}.') or state
    expected = model.state_dict()
    if not any(k in expected for k in state):
        raise ValueError(
            f'{key}={ckpt!r} shares no key with the {name} model: it has '
            f'e.g. {sorted(state)[:3]}, the {name} e.g. '
            f'{sorted(expected)[:3]}')
    skipped = []
    if skip_mismatched:
        skipped = sorted(k for k, v in state.items()
                         if k in expected and hasattr(v, 'shape')
                         and v.shape != expected[k].shape)
        state = OrderedDict(
            (k, v) for k, v in state.items() if k not in skipped)
    hint = f'; set {opt_out}=False to load it anyway' \
        if strict and opt_out else ''
    try:
        result = model.load_state_dict(state, strict=False)
    except RuntimeError as err:
        raise RuntimeError(
            f'cannot load {key}={ckpt!r} into the {name}{hint}: {err}'
        ) from err
    # Skipped tensors are reported once, as skipped, not also as missing.
    missing = [
        k for k in result.missing_keys
        if not k.endswith('num_batches_tracked') and k not in skipped
    ]
    unexpected = list(result.unexpected_keys)
    if strict and missing:
        raise KeyError(
            f'{key}={ckpt!r} lacks {len(missing)} of the {name}\'s '
            f'{len(expected)} tensors, e.g. {", ".join(missing[:5])}: it is '
            f'not a checkpoint of this {name} (the loaded part would train '
            f'against random weights){hint}')
    message = (f'SAKDDistiller: loaded the {name} from {ckpt} '
               f'({len(state)} tensors); missing keys: '
               f'{", ".join(missing) or "none"}; unexpected keys: '
               f'{", ".join(unexpected) or "none"}; skipped for a shape '
               f'mismatch: {", ".join(skipped) or "none"}')
    print_log(
        message,
        logger='current',
        level=logging.WARNING
        if missing or unexpected or skipped else logging.INFO)
