"""Dropout-shuffle interruption of training batches inside the distiller
(``SAKDDistiller(interrupt_train=...)``)."""
from typing import Optional, Union

from mmengine.dist import get_dist_info
from torch import Tensor

from mmsakd.selection import interrupt_batch, interruption_rate, make_generator
from mmsakd.selection.checks import check_range
from .checks import is_int, is_number
from .runtime import runtime_progress

#: The settings of ``interrupt_train`` and their defaults, those of the
#: SAKD scoring pass.
INTERRUPT_DEFAULTS = dict(
    eta=0.5, theta=0.9, scope='batch', patch_size=4, seed=0)
#: :func:`interrupt_batch` layouts of the preprocessed inputs, by the data
#: preprocessor's ``format_shape``.
_LAYOUTS = dict(NCTHW='NVCTHW', NCHW='NTCHW')


def interrupt_settings(value: Union[None, bool, dict]) -> Optional[dict]:
    """Check the ``interrupt_train`` argument and complete it.

    Args:
        value (dict | bool, optional): None or False: off; True: on with
            :data:`INTERRUPT_DEFAULTS`; a dict: on, with some of
            ``eta`` (in ``(0, 1]``), ``theta`` (> 0), ``scope``
            (``'batch'`` or ``'clip'``), ``patch_size`` (int >= 1) and
            ``seed`` (int >= 0) set.

    Returns:
        dict, optional: Every setting, or None when off.
    """
    if value is None or value is False:
        return None
    if value is True:
        return dict(INTERRUPT_DEFAULTS)
    if not isinstance(value, dict):
        raise TypeError('interrupt_train must be None, a bool or a dict of '
                        f'{sorted(INTERRUPT_DEFAULTS)}, got '
                        f'{type(value).__name__}')
    unknown = sorted(set(value) - set(INTERRUPT_DEFAULTS))
    if unknown:
        raise ValueError(f'interrupt_train got unknown keys {unknown}; it '
                         f'takes {sorted(INTERRUPT_DEFAULTS)}')
    settings = dict(INTERRUPT_DEFAULTS, **value)
    eta, theta = settings['eta'], settings['theta']
    check_range('interrupt_train.eta', eta, 0, 1, low_open=True)
    if not is_number(theta) or not theta > 0:
        raise ValueError(
            f'interrupt_train.theta must be a number > 0, got {theta!r}')
    if settings['scope'] not in ('batch', 'clip'):
        raise ValueError("interrupt_train.scope must be 'batch' or 'clip', "
                         f"got {settings['scope']!r}")
    if not is_int(settings['patch_size']) or settings['patch_size'] < 1:
        raise ValueError('interrupt_train.patch_size must be an int >= 1, '
                         f"got {settings['patch_size']!r}")
    if not is_int(settings['seed']) or settings['seed'] < 0:
        raise ValueError('interrupt_train.seed must be an int >= 0, got '
                         f"{settings['seed']!r}")
    settings['eta'], settings['theta'] = float(eta), float(theta)
    return settings


def interrupt_layout(format_shape: Optional[str]) -> str:
    """The :func:`interrupt_batch` layout of inputs preprocessed to
    ``format_shape``.

    ``'NCTHW'`` (3D recognizers) gives ``(N, V, C, T, H, W)``; ``'NCHW'``
    (2D recognizers such as TSN and TSM) gives ``(N, num_segments, C, H,
    W)``, whose segments are the time axis. Inferring the layout from the
    number of dims would read the 5-dim 2D inputs as ``(N, C, T, H, W)``
    and interrupt colour channels.

    Args:
        format_shape (str, optional): ``format_shape`` of the model's
            ``ActionDataPreprocessor``.

    Returns:
        str: One of :data:`mmsakd.selection.LAYOUTS`.
    """
    if format_shape not in _LAYOUTS:
        raise ValueError(
            'the dropout-shuffle interruption (SAKD scoring, '
            'interrupt_train) needs the inputs of a data preprocessor with '
            f'format_shape in {sorted(_LAYOUTS)} (model.data_preprocessor.'
            f'format_shape), got {format_shape!r}')
    return _LAYOUTS[format_shape]


def interrupt_training_batch(inputs: Tensor, settings: dict,
                             layout: str) -> Tensor:
    """Interrupt a preprocessed training batch at the current epoch's rate.

    The rate is ``beta(n)`` of Eq. 4 (docs/method.md#interruption-rate),
    with the epoch ``n`` and ``max_epochs`` of the running training loop
    (MMEngine's ``RuntimeInfoHook``). The generator is
    ``make_generator(seed, epoch, iter * world_size + rank,
    stream='train')``: one stream per iteration and rank, the same on
    resume, and none shared with the scoring pass.

    Args:
        inputs (Tensor): The batch, as the data preprocessor returns it.
        settings (dict): As :func:`interrupt_settings` returns them.
        layout (str): As :func:`interrupt_layout` returns it.

    Returns:
        Tensor: ``inputs`` itself at rate 0, else a new tensor.
    """
    progress = runtime_progress()
    if None in progress:
        raise RuntimeError(
            'interrupt_train needs the epoch, max_epochs and iter of the '
            'training loop in the MessageHub runtime info (set by '
            f"MMEngine's RuntimeInfoHook), got {progress._asdict()}")
    rate = interruption_rate(progress.epoch, progress.max_epochs,
                             settings['theta'])
    if rate == 0:
        return inputs
    rank, world_size = get_dist_info()
    return interrupt_batch(
        inputs,
        rate,
        eta=settings['eta'],
        scope=settings['scope'],
        patch_size=settings['patch_size'],
        layout=layout,
        generator=make_generator(
            settings['seed'],
            progress.epoch,
            progress.iter * world_size + rank,
            stream='train'))
