"""Extract the student of a distillation checkpoint into a plain recognizer
checkpoint.

A checkpoint saved while training ``SAKDDistiller`` holds the student's
weights under ``student.`` (and, with ``save_teacher=True``, the teacher's
under ``teacher.``). This writes ``{'meta': ..., 'state_dict': ...}`` with
the student's keys unprefixed and nothing else (no teacher, optimizer,
schedulers or message hub), which MMAction2's ``tools/test.py`` loads with
the student's own config::

    python tools/convert_to_student.py work_dirs/kd/epoch_10.pth student.pth
    python tools/test.py \\
        configs/synthetic/slowfast_tiny_student_synthetic.py student.pth

Checkpoints are pickles: convert only files from a trusted source.
"""
import argparse
import os
import os.path as osp
from collections import OrderedDict

import torch

from mmsakd.models.utils import (STUDENT_PREFIX, checkpoint_state_dict,
                                 read_checkpoint, strip_prefix)


def parse_args():
    parser = argparse.ArgumentParser(
        description='Write the student of a distillation checkpoint as a '
        'plain recognizer checkpoint')
    parser.add_argument('checkpoint', help='distillation checkpoint')
    parser.add_argument('out', help='output path of the student checkpoint')
    return parser.parse_args()


def student_state_dict(checkpoint: dict) -> OrderedDict:
    """The ``student.*`` entries of a distillation checkpoint, unprefixed.

    Args:
        checkpoint (dict): A checkpoint of ``SAKDDistiller`` or its state
            dict; keys of a DDP-wrapped model (``module.student.*``) are
            accepted too.

    Returns:
        OrderedDict: The student's state dict; empty if there is none.
    """
    state = checkpoint_state_dict(checkpoint)
    if state is None:
        return OrderedDict()
    return strip_prefix(state, STUDENT_PREFIX)


def convert(src: str, dst: str) -> dict:
    """Write the student checkpoint of ``src`` to ``dst``.

    Args:
        src (str): A checkpoint of ``SAKDDistiller``.
        dst (str): Output path; missing folders are created.

    Returns:
        dict: The written checkpoint.
    """
    if not osp.isfile(src):
        raise FileNotFoundError(f'distillation checkpoint not found: {src}')
    checkpoint = read_checkpoint(src, logger='silent')
    if not isinstance(checkpoint, dict):
        raise ValueError(f'{src} is not a checkpoint dict')
    student = student_state_dict(checkpoint)
    if not student:
        keys = sorted(checkpoint_state_dict(checkpoint) or {})[:3]
        raise ValueError(
            f'{src} has no "{STUDENT_PREFIX}" keys, so it is not a '
            f'checkpoint of SAKDDistiller (its first keys: {keys})')
    out = dict(meta=checkpoint.get('meta', {}), state_dict=student)
    if osp.dirname(dst):
        os.makedirs(osp.dirname(dst), exist_ok=True)
    torch.save(out, dst)
    return out


def main():
    args = parse_args()
    try:
        out = convert(args.checkpoint, args.out)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'convert_to_student: error: {err}')
    print(f'wrote {len(out["state_dict"])} student tensors from '
          f'{args.checkpoint} to {args.out}')


if __name__ == '__main__':
    main()
