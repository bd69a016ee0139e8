from typing import Dict, Optional, Sequence, Union

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmsakd.registry import TRANSFORMS
from mmsakd.selection.interruption import interrupt_batch, make_generator
from mmsakd.selection.schedule import interruption_rate

#: ``ActionDataPreprocessor``'s usual ImageNet mean, RGB, in [0, 255].
IMAGENET_MEAN = (123.675, 116.28, 103.53)


@TRANSFORMS.register_module()
class DropoutShuffle(BaseTransform):
    """Dropout-shuffle interruption of the frames of one sample (Sec. III-C,
    docs/method.md#dropout-shuffle-interruption).

    The per-sample counterpart of
    :func:`mmsakd.selection.interrupt_batch`, for pipelines: data-side
    interruption of training clips. Put it after the spatial transforms and
    before ``FormatShape``; ``imgs`` is then a list or array of
    ``num_clips * clip_len`` frames of shape ``(H, W, C)``.

    The rate is ``beta(epoch)`` (Eq. 4, docs/method.md#interruption-rate),
    or ``rate`` when given; below ``eta`` it drops ``round(rate *
    clip_len)`` frames per clip, otherwise it permutes ``round(eta *
    clip_len)`` frames inside each clip (counts round half up,
    :func:`~mmsakd.selection.num_interrupted`; ``scope='clip'``: a dataloader
    worker sees one sample, which has no frames of another action; the batch
    scope needs :func:`interrupt_batch`, as ``SAKDDistiller``'s
    ``interrupt_train`` does). The clips of a sample (its views) share the
    chosen positions. The frames of 2D recognizers (TSN, TSM: ``clip_len ==
    1`` and ``num_clips > 1``, one frame per segment) are one clip whose
    units are the segments, as in the batch operation's ``NTCHW`` layout.
    A single frame (``clip_len == 1`` and ``num_clips == 1``, images) is cut
    into ``patch_size x patch_size`` pixel patches.

    Dropped frames are filled with ``fill_value``, a colour in the pixel
    space of ``imgs`` (rounded to it for integer frames). The default is the
    mean that ``ActionDataPreprocessor`` subtracts, so a dropped frame
    becomes 0 after normalization, as in the batch operation; set it to the
    mean of your preprocessor (in the channel order of ``imgs``).

    The randomness comes from ``make_generator(seed, epoch,
    results['sample_idx'], stream='pipeline')`` (``sample_idx`` is set by
    mmengine's ``BaseDataset``; 0 when missing), so it is the same in every
    worker and run. The epoch and ``max_epochs`` live in a small
    shared-memory tensor, which dataloader workers inherit (fork) or
    receive by handle (spawn), so
    :meth:`set_epoch` in the main process reaches every worker, persistent
    ones included, from their next sample on. In a training run,
    ``DropoutShuffleHook`` calls it before each epoch (and fills in
    ``max_epochs`` from the runner when it is None).

    Required Keys:

    - imgs
    - clip_len (optional, else all frames are one clip)
    - num_clips (optional; with ``clip_len == 1``, the segments)
    - sample_idx (optional)

    Modified Keys:

    - imgs

    Added Keys:

    - interruption_rate (the rate applied; ``PackActionInputs`` keeps it
      when its ``meta_keys`` list it)

    Args:
        max_epochs (int, optional): ``E`` of Eq. 4, > 0; None until
            ``DropoutShuffleHook`` or the attribute sets it (needed unless
            ``rate`` is given). Defaults to None.
        rate (float, optional): A fixed interruption rate in ``[0, 1]``
            instead of the schedule. Defaults to None.
        eta (float): The dropout/shuffle threshold, in ``(0, 1]``.
            Defaults to 0.5.
        theta (float): The power of Eq. 4, > 0. Defaults to 0.9.
        patch_size (int): Patch side for images, >= 1. Defaults to 4.
        fill_value (float | Sequence[float]): Colour of dropped frames, a
            scalar or one value per channel. Defaults to
            ``(123.675, 116.28, 103.53)``.
        seed (int): The seed, >= 0. Defaults to 0.
        epoch (int): The starting epoch, >= 0. Defaults to 0.
    """

    def __init__(self,
                 max_epochs: Optional[int] = None,
                 rate: Optional[float] = None,
                 eta: float = 0.5,
                 theta: float = 0.9,
                 patch_size: int = 4,
                 fill_value: Union[float, Sequence[float]] = IMAGENET_MEAN,
                 seed: int = 0,
                 epoch: int = 0) -> None:
        if rate is not None and not 0 <= rate <= 1:
            raise ValueError(f'rate must be in [0, 1], got {rate}')
        if not 0 < eta <= 1:
            raise ValueError(f'eta must be in (0, 1], got {eta}')
        if not theta > 0:
            raise ValueError(f'theta must be > 0, got {theta}')
        if type(patch_size) is not int or patch_size < 1:  # bool is not int
            raise ValueError(
                f'patch_size must be an int >= 1, got {patch_size}')
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f'seed must be an int >= 0, got {seed}')
        self.rate = rate
        self.eta = eta
        self.theta = theta
        self.patch_size = patch_size
        self.fill_value = fill_value
        self.seed = seed
        # (epoch, max_epochs), 0 standing for no max_epochs. Shared memory,
        # so that workers forked or spawned before set_epoch see it.
        self._progress = torch.zeros(2, dtype=torch.float64).share_memory_()
        self.max_epochs = max_epochs
        self.set_epoch(epoch)

    def __setstate__(self, state: Dict) -> None:
        self.__dict__.update(state)
        # A deep copy gets its own progress tensor: in shared memory too.
        self._progress.share_memory_()

    @property
    def max_epochs(self) -> Optional[float]:
        """``E`` of Eq. 4, or None when not set."""
        value = float(self._progress[1])
        if value == 0:
            return None
        return int(value) if value.is_integer() else value

    @max_epochs.setter
    def max_epochs(self, value: Optional[float]) -> None:
        is_number = isinstance(value,
                               (int, float)) and not isinstance(value, bool)
        if value is not None and not (is_number and value > 0):
            raise ValueError(f'max_epochs must be > 0, got {value!r}')
        self._progress[1] = 0 if value is None else value

    @property
    def epoch(self) -> int:
        """The epoch that seeds the interruption and sets its rate."""
        return int(self._progress[0])

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch that seeds the interruption and sets its rate.

        Args:
            epoch (int): The 0-based epoch, >= 0 (and <= ``max_epochs`` when
                the schedule is used and ``max_epochs`` is set).
        """
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
            raise ValueError(f'epoch must be an int >= 0, got {epoch}')
        max_epochs = self.max_epochs
        if self.rate is None and max_epochs is not None \
                and epoch > max_epochs:
            raise ValueError(f'epoch must be in [0, max_epochs='
                             f'{max_epochs}], got {epoch}')
        self._progress[0] = epoch

    def current_rate(self) -> float:
        """The interruption rate of the current epoch.

        Returns:
            float: ``rate`` if given, else ``beta(epoch)``.
        """
        if self.rate is not None:
            return float(self.rate)
        max_epochs = self.max_epochs
        if max_epochs is None:
            raise ValueError(
                'DropoutShuffle follows the schedule of Eq. 4 but has no '
                'max_epochs: give max_epochs or rate, or add '
                "dict(type='DropoutShuffleHook') to the config's "
                'default_hooks')
        return interruption_rate(self.epoch, max_epochs, self.theta)

    def _fill(self, channels: int, dtype: np.dtype) -> torch.Tensor:
        """The fill colour as a tensor of the frames' dtype."""
        fill = np.asarray(self.fill_value, dtype=np.float64).reshape(-1)
        if fill.size not in (1, channels):
            raise ValueError('fill_value must be a scalar or have one value '
                             f'per channel ({channels}), got {fill.size}')
        if np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            fill = np.clip(np.rint(fill), info.min, info.max)
        fill = torch.from_numpy(fill.astype(dtype))
        return fill[0] if fill.numel() == 1 else fill

    def transform(self, results: Dict) -> Dict:
        """Interrupt ``results['imgs']``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict with interrupted ``imgs``, of the same type
            (list or array) as before, and the ``interruption_rate``
            applied.
        """
        imgs = results['imgs']
        as_list = isinstance(imgs, list)
        frames = np.stack(imgs) if as_list else np.asarray(imgs)
        if frames.ndim != 4:
            raise ValueError('imgs must be frames of shape (H, W, C), got '
                             f'an array of shape {frames.shape}')
        num_frames, height, width, channels = frames.shape
        clip_len = int(results.get('clip_len', num_frames))
        if clip_len == 1 and int(results.get('num_clips', 1)) > 1:
            # One frame per segment (TSN, TSM): the segments are the units,
            # as the 2D recognizer's NTCHW inputs of the batch operation.
            clip_len = int(results['num_clips'])
        if clip_len < 1 or num_frames % clip_len:
            raise ValueError(f'{num_frames} frames do not split into clips '
                             f'of clip_len={clip_len}')
        views = num_frames // clip_len

        # (V * T, H, W, C) -> (1, V, C, T, H, W), the batch layout.
        x = torch.from_numpy(np.ascontiguousarray(frames)).view(
            1, views, clip_len, height, width,
            channels).permute(0, 1, 5, 2, 3, 4)
        rate = self.current_rate()
        generator = make_generator(
            self.seed,
            self.epoch,
            int(results.get('sample_idx', 0)),
            stream='pipeline')
        out = interrupt_batch(
            x,
            rate,
            eta=self.eta,
            scope='clip',
            patch_size=self.patch_size,
            fill_value=self._fill(channels, frames.dtype),
            layout='NVCTHW',
            generator=generator)
        out = out.permute(0, 1, 3, 4, 5, 2).reshape(frames.shape).numpy()
        results['imgs'] = list(out) if as_list else out
        results['interruption_rate'] = rate
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_epochs={self.max_epochs}, '
                f'rate={self.rate}, eta={self.eta}, theta={self.theta}, '
                f'patch_size={self.patch_size}, '
                f'fill_value={self.fill_value}, seed={self.seed}, '
                f'epoch={self.epoch})')
