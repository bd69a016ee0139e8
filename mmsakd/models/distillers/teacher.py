"""A frozen teacher recognizer held outside a distiller's submodules
(docs/method.md#training-loss)."""
import logging
from typing import List, Optional, Tuple

import torch
from mmengine.logging import print_log
from torch import Tensor, nn

from ..utils import (TEACHER_PREFIX, Features, load_recognizer_checkpoint,
                     run_recognizer)


def check_teacher_settings(teacher_ckpt: Optional[str], strict_teacher: bool,
                           untrained_teacher: bool) -> None:
    """Check the distiller's ``teacher_ckpt``, ``strict_teacher`` and
    ``untrained_teacher``: a checkpoint path, or None with
    ``untrained_teacher``."""
    if teacher_ckpt is not None and not isinstance(teacher_ckpt, str):
        raise TypeError('teacher_ckpt must be a path (str) or None, got '
                        f'{type(teacher_ckpt).__name__}')
    for key, value in (('strict_teacher', strict_teacher),
                       ('untrained_teacher', untrained_teacher)):
        if not isinstance(value, bool):
            raise TypeError(f'model.{key} must be True or False, got '
                            f'{value!r}')
    if teacher_ckpt is None and not untrained_teacher:
        raise ValueError(
            'model.teacher_ckpt is None: SAKDDistiller would distil from '
            'an untrained teacher. Set model.teacher_ckpt to the '
            'teacher\'s checkpoint (e.g. `make teacher` for the '
            'synthetic configs), or model.untrained_teacher=True for '
            'tests and speed measurements')
    if teacher_ckpt is not None and untrained_teacher:
        raise ValueError(
            'model.untrained_teacher=True contradicts model.teacher_ckpt='
            f'{teacher_ckpt!r}: set one of them')


def load_teacher(teacher: nn.Module, teacher_ckpt: Optional[str],
                 strict: bool) -> None:
    """Load the teacher's weights and freeze it.

    Args:
        teacher (nn.Module): The teacher recognizer.
        teacher_ckpt (str, optional): Its checkpoint, a path or a URL; None
            keeps the weights of its ``init_weights`` and logs a warning.
        strict (bool): Refuse a checkpoint that lacks any of the teacher's
            tensors or has one of another shape; False loads what matches
            and logs the rest.
    """
    if teacher_ckpt is None:
        teacher.init_weights()
        print_log(
            'SAKDDistiller: model.untrained_teacher=True, so the '
            'teacher keeps its initial (untrained) weights',
            logger='current',
            level=logging.WARNING)
    else:
        load_recognizer_checkpoint(
            teacher,
            teacher_ckpt,
            'teacher',
            skip_mismatched=not strict,
            strict=strict,
            opt_out='model.strict_teacher')
    # The weights are final: a later init_weights() must not reset them.
    teacher._is_init = True
    teacher.requires_grad_(False)
    teacher.eval()


class FrozenTeacherMixin:
    """Gives an ``nn.Module`` a frozen teacher recognizer that is not one of
    its registered submodules.

    The teacher:

    - is loaded and frozen by :meth:`_attach_teacher`:
      ``requires_grad=False``, always in eval mode (BN uses its running
      statistics, dropout is off), run under ``torch.no_grad()``
      (:meth:`_run_teacher`).
    - is absent from ``parameters()`` (so no optimizer sees it, whatever the
      optimizer constructor), from ``init_weights`` (so the loaded weights
      are not re-initialised) and, unless the module's ``save_teacher`` is
      True, from ``state_dict()``. It still follows ``.to()``, ``.cuda()``,
      ``.half()`` and the like. Teacher keys (``teacher.*``) found in a
      loaded state dict are loaded into it.

    Put it before the ``nn.Module`` base class; the module sets
    ``save_teacher`` (bool) before its first ``state_dict()`` call.
    """

    _teacher: nn.Module
    save_teacher: bool

    def _attach_teacher(self, teacher: nn.Module, teacher_ckpt: Optional[str],
                        strict: bool) -> None:
        """Hold ``teacher``, load it with :func:`load_teacher` and register
        the state-dict hooks of ``teacher.*``."""
        # Stored past nn.Module.__setattr__ so that it is no submodule.
        object.__setattr__(self, '_teacher', teacher)
        #: Samples (views folded in) the teacher has run on, in this process.
        self.teacher_samples_run = 0
        load_teacher(teacher, teacher_ckpt, strict)
        self.register_state_dict_post_hook(add_teacher_state)
        self.register_load_state_dict_pre_hook(load_teacher_state)

    @property
    def teacher(self) -> nn.Module:
        """The frozen teacher recognizer (not a registered submodule)."""
        return self._teacher

    def train(self, mode: bool = True):
        """Set the module's mode; the teacher stays in eval mode."""
        super().train(mode)
        self._teacher.eval()
        return self

    def _apply(self, fn, *args, **kwargs):
        # Device and dtype moves must reach the unregistered teacher too.
        super()._apply(fn, *args, **kwargs)
        self._teacher._apply(fn, *args, **kwargs)
        return self

    def _run_teacher(self, inputs: Tensor) -> Tuple[Tensor, Features]:
        """Teacher logits and features, in eval mode, without gradient."""
        # Also undoes a train() called on the teacher itself.
        self._teacher.eval()
        self.teacher_samples_run += inputs.shape[0]
        with torch.no_grad():
            logits, feats, _ = run_recognizer(self._teacher, inputs)
        return logits, feats


def add_teacher_state(module: nn.Module, state_dict: dict, prefix: str,
                      local_metadata: dict) -> None:
    """State-dict post-hook: add ``teacher.*`` when ``save_teacher``."""
    if not module.save_teacher:
        return
    for key, value in module.teacher.state_dict().items():
        state_dict[prefix + TEACHER_PREFIX + key] = value


def load_teacher_state(module: nn.Module, state_dict: dict, prefix: str,
                       local_metadata: dict, strict: bool,
                       missing_keys: List[str], unexpected_keys: List[str],
                       error_msgs: List[str]) -> None:
    """Load-state-dict pre-hook: move ``teacher.*`` keys into the teacher,
    so that they are not reported as unexpected."""
    teacher_prefix = prefix + TEACHER_PREFIX
    keys = [key for key in state_dict if key.startswith(teacher_prefix)]
    if not keys:
        return
    teacher_state = {
        key[len(teacher_prefix):]: state_dict.pop(key)
        for key in keys
    }
    result = module.teacher.load_state_dict(teacher_state, strict=False)
    missing_keys.extend(teacher_prefix + key for key in result.missing_keys)
    unexpected_keys.extend(teacher_prefix + key
                           for key in result.unexpected_keys)
