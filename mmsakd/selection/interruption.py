"""Dropout-shuffle interruption of SAKD (Sec. III-C,
docs/method.md#dropout-shuffle-interruption), as a batch operation.

The operation works on *units*: the frames of a clip, or for images (no time
axis, or ``T == 1``) the non-overlapping ``p x p`` pixel patches. A random
:class:`InterruptionPlan` says, for every sample and unit, which unit of which
sample it receives, or whether it is dropped; planning and applying are
separate so that the batch operation here and the pipeline transform
:class:`mmsakd.datasets.transforms.DropoutShuffle` share one implementation.
"""
from typing import NamedTuple, Optional, Sequence, Union

import numpy as np
import torch
from torch import Tensor

from .schedule import num_interrupted

#: Layouts accepted by :func:`interrupt_batch`. ``N`` batch, ``V`` views
#: (``num_clips * num_crops`` in MMAction2), ``C`` channels, ``T`` time.
LAYOUTS = ('NCHW', 'NVCHW', 'NCTHW', 'NVCTHW', 'NTCHW')
SCOPES = ('batch', 'clip')
_DEFAULT_LAYOUT = {4: 'NCHW', 5: 'NCTHW', 6: 'NVCTHW'}

FillValue = Union[float, Sequence[float], Tensor]


class InterruptionPlan(NamedTuple):
    """Where every unit of an interrupted batch comes from.

    Unit ``u`` of sample ``i`` receives unit ``src_unit[i, u]`` of sample
    ``src_sample[i, u]``, then is replaced by the fill value where
    ``drop[i, u]`` is True. All tensors are ``(N, U)`` on the CPU.

    Attributes:
        mode (str): ``'none'``, ``'dropout'`` or ``'shuffle'``.
        src_sample (Tensor): Source sample indices, int64.
        src_unit (Tensor): Source unit indices, int64.
        drop (Tensor): Dropped units, bool.
    """
    mode: str
    src_sample: Tensor
    src_unit: Tensor
    drop: Tensor


#: The random streams of SAKD, one per consumer, each a tag hashed into the
#: seed by :func:`make_generator`, so that no two consumers draw the same
#: numbers from the same ``(seed, epoch, index)``: ``'default'`` (direct
#: calls), ``'scoring'`` (the scoring pass, per global batch),
#: ``'criterion'`` (the random selection criteria), ``'pool'`` (the
#: candidate pool), ``'train'`` (``interrupt_train``, per iteration and rank),
#: ``'pipeline'`` (the ``DropoutShuffle`` transform, per sample),
#: ``'replay'`` (``ReplayAugmentation``, per view and sample) and
#: ``'multigrid'`` (the short cycle of ``MultigridSchedule``, per epoch).
STREAMS = ('default', 'scoring', 'criterion', 'pool', 'train', 'pipeline',
           'replay', 'multigrid')


def make_generator(seed: int,
                   epoch: int = 0,
                   batch_idx: int = 0,
                   stream: str = 'default') -> torch.Generator:
    """A CPU generator seeded from ``(stream, seed, epoch, batch_idx)``.

    The numbers are hashed with :class:`numpy.random.SeedSequence`, so
    neighbouring triples give unrelated streams (unlike ``seed + epoch``),
    different ``stream`` tags give unrelated streams for the same triple,
    and the same arguments give the same stream in every process: a resumed
    run interrupts identically.

    Args:
        seed (int): The base seed, >= 0.
        epoch (int): The epoch, >= 0. Defaults to 0.
        batch_idx (int): The batch (or sample) index, >= 0. Defaults to 0.
        stream (str): The consumer, one of :data:`STREAMS`.
            Defaults to 'default'.

    Returns:
        torch.Generator: A seeded CPU generator.
    """
    if stream not in STREAMS:
        raise ValueError(f'stream must be one of {STREAMS}, got {stream!r}')
    values = dict(seed=seed, epoch=epoch, batch_idx=batch_idx)
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f'{name} must be an int, got {type(value)}')
        if value < 0:
            raise ValueError(f'{name} must be >= 0, got {value}')
    entropy = [STREAMS.index(stream)] + [int(v) for v in values.values()]
    state = np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0]
    generator = torch.Generator()
    # torch seeds are accepted up to 2**64 - 1; 63 bits keep it portable.
    generator.manual_seed(int(state) & (2**63 - 1))
    return generator


def _choose_units(num_samples: int, num_units: int, count: int,
                  generator: torch.Generator) -> Tensor:
    """``count`` distinct units per sample, uniformly at random: (N, count)."""
    keys = torch.rand(num_samples, num_units, generator=generator)
    return keys.argsort(dim=1)[:, :count]


def _derangement(n: int, generator: torch.Generator) -> Tensor:
    """A uniformly random permutation of ``range(n)`` without fixed points.

    Rejection sampling; about ``e`` draws on average. Needs ``n >= 2``.
    """
    identity = torch.arange(n)
    while True:
        perm = torch.randperm(n, generator=generator)
        if bool((perm != identity).all()):
            return perm


def _row_derangements(rows: int, n: int, generator: torch.Generator) -> Tensor:
    """An independent uniform derangement of ``range(n)`` per row: (rows, n).

    Rows with a fixed point are redrawn until none is left. Needs ``n >= 2``.
    """
    identity = torch.arange(n)
    perms = torch.rand(rows, n, generator=generator).argsort(dim=1)
    bad = (perms == identity).any(dim=1)
    while bool(bad.any()):
        redraw = torch.rand(int(bad.sum()), n, generator=generator)
        perms[bad] = redraw.argsort(dim=1)
        bad = (perms == identity).any(dim=1)
    return perms


def plan_interruption(num_samples: int,
                      num_units: int,
                      rate: float,
                      eta: float = 0.5,
                      scope: str = 'batch',
                      generator: Optional[torch.Generator] = None
                      ) -> InterruptionPlan:
    """Draw the dropout-shuffle interruption of a batch.

    - ``rate < eta``: dropout. In each sample ``round(rate * U)`` units chosen
      uniformly at random are dropped.
    - ``rate >= eta``: shuffle. In each sample ``round(eta * U)`` unit
      positions are chosen uniformly at random. With ``scope='batch'`` a
      uniformly random derangement ``pi`` of the batch is drawn and sample
      ``i`` receives, at its chosen positions, the units of sample ``pi(i)`` at
      the same positions (so never its own). With ``scope='clip'``, or a batch
      of one sample, the chosen units are permuted by a uniformly random
      derangement among themselves, so every chosen position receives another
      unit of the same sample; with a single chosen position nothing can move.

    Counts round half up (:func:`mmsakd.selection.num_interrupted`).

    Args:
        num_samples (int): The batch size ``N``, >= 0.
        num_units (int): Units per sample ``U`` (frames or patches), >= 0.
        rate (float): The interruption rate ``beta(n)``, in ``[0, 1]``.
        eta (float): The dropout/shuffle threshold, in ``(0, 1]``.
            Defaults to 0.5.
        scope (str): ``'batch'`` or ``'clip'``. Defaults to ``'batch'``.
        generator (torch.Generator, optional): The CPU generator to draw from.
            Defaults to None (a generator seeded with 0).

    Returns:
        InterruptionPlan: The plan, on the CPU.
    """
    if num_samples < 0:
        raise ValueError(f'num_samples must be >= 0, got {num_samples}')
    if num_units < 0:
        raise ValueError(f'num_units must be >= 0, got {num_units}')
    if not 0 <= rate <= 1:
        raise ValueError(f'rate must be in [0, 1], got {rate}')
    if not 0 < eta <= 1:
        raise ValueError(f'eta must be in (0, 1], got {eta}')
    if scope not in SCOPES:
        raise ValueError(f'scope must be one of {SCOPES}, got {scope!r}')
    if generator is None:
        generator = make_generator(0)

    n, u = num_samples, num_units
    src_sample = torch.arange(n).view(n, 1).repeat(1, u)
    src_unit = torch.arange(u).view(1, u).repeat(n, 1)
    drop = torch.zeros(n, u, dtype=torch.bool)
    if rate < eta:
        count = num_interrupted(rate, u)
        if count == 0 or n == 0:
            return InterruptionPlan('none', src_sample, src_unit, drop)
        chosen = _choose_units(n, u, count, generator)
        drop.scatter_(1, chosen, True)
        return InterruptionPlan('dropout', src_sample, src_unit, drop)

    count = num_interrupted(eta, u)
    if count == 0 or n == 0:
        return InterruptionPlan('none', src_sample, src_unit, drop)
    chosen = _choose_units(n, u, count, generator)
    if scope == 'batch' and n > 1:
        partner = _derangement(n, generator)
        src_sample.scatter_(1, chosen, partner.view(n, 1).expand(n, count))
    elif count > 1:
        perms = _row_derangements(n, count, generator)
        src_unit.scatter_(1, chosen, chosen.gather(1, perms))
    return InterruptionPlan('shuffle', src_sample, src_unit, drop)


def apply_interruption_plan(units: Tensor,
                            plan: InterruptionPlan,
                            fill_value: FillValue = 0.) -> Tensor:
    """Apply a plan to a tensor of units.

    Args:
        units (Tensor): ``(N, U, *rest)``: sample axis 0, unit axis 1.
        plan (InterruptionPlan): A plan for ``N`` samples of ``U`` units.
        fill_value (float | Sequence[float] | Tensor): The value of dropped
            units; a tensor must broadcast to ``rest``. Defaults to 0.

    Returns:
        Tensor: A new tensor like ``units``, on the same device.
    """
    if units.dim() < 2 or tuple(units.shape[:2]) != tuple(plan.drop.shape):
        raise ValueError(
            f'units must have shape (N, U, ...) = {tuple(plan.drop.shape)} '
            f'+ (...), got {tuple(units.shape)}')
    if plan.mode == 'none':
        return units.clone()
    device = units.device
    out = units[plan.src_sample.to(device), plan.src_unit.to(device)]
    if plan.mode == 'dropout':
        fill = torch.as_tensor(fill_value, dtype=units.dtype, device=device)
        mask = plan.drop.to(device).view(
            tuple(plan.drop.shape) + (1, ) * (units.dim() - 2))
        out = torch.where(mask, fill, out)
    return out


def _infer_layout(inputs: Tensor, layout: Optional[str]) -> str:
    """Check ``layout`` against ``inputs``, or infer it from the dims."""
    if layout is None:
        if inputs.dim() not in _DEFAULT_LAYOUT:
            raise ValueError(
                'inputs must have 4 (N, C, H, W), 5 (N, C, T, H, W) or 6 '
                f'(N, V, C, T, H, W) dims, got shape {tuple(inputs.shape)}')
        return _DEFAULT_LAYOUT[inputs.dim()]
    if layout not in LAYOUTS:
        raise ValueError(f'layout must be one of {LAYOUTS}, got {layout!r}')
    if inputs.dim() != len(layout):
        raise ValueError(f'layout {layout!r} needs {len(layout)} dims, got '
                         f'shape {tuple(inputs.shape)}')
    return layout


def _to_canonical(inputs: Tensor, layout: str) -> Tensor:
    """View ``inputs`` as ``(N, V, C, T, H, W)``."""
    if layout == 'NCHW':
        return inputs[:, None, :, None]
    if layout == 'NVCHW':
        return inputs[:, :, :, None]
    if layout == 'NCTHW':
        return inputs[:, None]
    if layout == 'NTCHW':
        return inputs.transpose(1, 2)[:, None]
    return inputs


def _from_canonical(x: Tensor, layout: str) -> Tensor:
    """Inverse of :func:`_to_canonical`."""
    if layout == 'NCHW':
        return x[:, 0, :, 0]
    if layout == 'NVCHW':
        return x[:, :, :, 0]
    if layout == 'NCTHW':
        return x[:, 0]
    if layout == 'NTCHW':
        return x[:, 0].transpose(1, 2)
    return x


def _patchify(frames: Tensor, patch_size: int) -> Tensor:
    """``(N, *lead, H, W)`` -> ``(N, nH * nW, *lead, p, p)`` full patches.

    Border rows and columns that do not fill a whole patch are left out.
    """
    p = patch_size
    *head, h, w = frames.shape
    nh, nw = h // p, w // p
    if nh == 0 or nw == 0:
        raise ValueError(f'patch_size must be <= H and W, got {p} for '
                         f'H={h}, W={w}')
    lead = len(head) - 1
    x = frames[..., :nh * p, :nw * p].reshape(*head, nh, p, nw, p)
    # (N, *lead, nh, p, nw, p) -> (N, nh, nw, *lead, p, p)
    order = ([0, lead + 1, lead + 3] + list(range(1, lead + 1)) +
             [lead + 2, lead + 4])
    return x.permute(order).reshape(head[0], nh * nw, *head[1:], p, p)


def _unpatchify(units: Tensor, frames: Tensor, patch_size: int) -> Tensor:
    """Write patches from :func:`_patchify` back into a copy of ``frames``."""
    p = patch_size
    *head, h, w = frames.shape
    nh, nw = h // p, w // p
    lead = len(head) - 1
    x = units.reshape(head[0], nh, nw, *head[1:], p, p)
    # (N, nh, nw, *lead, p, p) -> (N, *lead, nh, p, nw, p)
    order = ([0] + list(range(3, lead + 3)) + [1, lead + 3, 2, lead + 4])
    out = frames.clone()
    out[..., :nh * p, :nw *
        p] = x.permute(order).reshape(*head, nh * p, nw * p)
    return out


def _fill_tensor(fill_value: FillValue, channels: int, ref: Tensor) -> Tensor:
    """A fill value broadcastable to ``(V, C, X, Y)`` unit contents."""
    fill = torch.as_tensor(fill_value, dtype=ref.dtype, device=ref.device)
    if fill.dim() == 0:
        return fill
    if fill.dim() != 1 or fill.numel() != channels:
        raise ValueError('fill_value must be a scalar or have one value per '
                         f'channel ({channels}), got shape '
                         f'{tuple(fill.shape)}')
    return fill.view(channels, 1, 1)


def interrupt_batch(inputs: Tensor,
                    rate: float,
                    eta: float = 0.5,
                    scope: str = 'batch',
                    patch_size: int = 4,
                    fill_value: FillValue = 0.,
                    layout: Optional[str] = None,
                    generator: Optional[torch.Generator] = None,
                    seed: int = 0,
                    epoch: int = 0,
                    batch_idx: int = 0) -> Tensor:
    """Dropout-shuffle interruption of a batch of normalized inputs.

    See :func:`plan_interruption` for the random choices. Units are frames
    when the time axis has ``T > 1``; otherwise (images, or ``T == 1``) they
    are the non-overlapping ``patch_size x patch_size`` pixel patches (border
    pixels outside whole patches are never touched). Dropped units take
    ``fill_value``: 0 in the normalized input space of MMAction2's
    ``ActionDataPreprocessor`` is the mean colour.

    Views (``V``, MMAction2's ``num_clips * num_crops`` axis after the data
    preprocessor) are interrupted consistently: all views of a sample share
    its chosen positions, and with ``scope='batch'`` view ``v`` of sample
    ``i`` receives units of view ``v`` of the partner sample.

    Accepted layouts (``layout=None`` infers the first three from the number
    of dims):

    - ``'NCHW'`` (4 dims): images, patch mode.
    - ``'NCTHW'`` (5 dims): clips.
    - ``'NVCTHW'`` (6 dims): MMAction2 3D recognizer inputs.
    - ``'NVCHW'`` (5 dims): images with views, patch mode.
    - ``'NTCHW'`` (5 dims): MMAction2 2D recognizer inputs
      ``(N, num_segments, C, H, W)`` with the segments as the time axis.

    Args:
        inputs (Tensor): The batch, any float or integer dtype, any device.
        rate (float): The interruption rate ``beta(n)``, in ``[0, 1]``.
        eta (float): The dropout/shuffle threshold, in ``(0, 1]``.
            Defaults to 0.5.
        scope (str): Shuffle source, ``'batch'`` (frames of other samples)
            or ``'clip'`` (frames of the same clip). Defaults to ``'batch'``.
        patch_size (int): Patch side ``p`` in patch mode, >= 1.
            Defaults to 4.
        fill_value (float | Sequence[float] | Tensor): Value of dropped units,
            a scalar or one value per channel. Defaults to 0.
        layout (str, optional): One of :data:`LAYOUTS`. Defaults to None.
        generator (torch.Generator, optional): CPU generator; when None one
            is made by :func:`make_generator` from ``(seed, epoch,
            batch_idx)``. Defaults to None.
        seed (int): Base seed. Defaults to 0.
        epoch (int): Epoch. Defaults to 0.
        batch_idx (int): Batch index. Defaults to 0.

    Returns:
        Tensor: A new tensor with the shape, dtype and device of ``inputs``.
    """
    if not isinstance(inputs, Tensor):
        raise TypeError(f'inputs must be a Tensor, got {type(inputs)}')
    if type(patch_size) is not int or patch_size < 1:  # bool is not int here
        raise ValueError(f'patch_size must be an int >= 1, got {patch_size}')
    layout = _infer_layout(inputs, layout)
    if generator is None:
        generator = make_generator(seed, epoch, batch_idx)

    x = _to_canonical(inputs, layout)
    n, _, channels, t = x.shape[:4]
    fill = _fill_tensor(fill_value, channels, x)
    if t > 1:
        units = x.movedim(3, 1)  # (N, T, V, C, H, W)
        plan = plan_interruption(n, t, rate, eta, scope, generator)
        out = apply_interruption_plan(units, plan, fill).movedim(1, 3)
    else:
        frames = x[:, :, :, 0]  # (N, V, C, H, W)
        units = _patchify(frames, patch_size)  # (N, U, V, C, p, p)
        plan = plan_interruption(n, units.shape[1], rate, eta, scope,
                                 generator)
        out_units = apply_interruption_plan(units, plan, fill)
        out = _unpatchify(out_units, frames, patch_size).unsqueeze(3)
    return _from_canonical(out, layout).contiguous()
