"""A stand-in distiller and dataset for SAKD rounds without networks: clip
``i`` is a small seeded tensor, its KD loss and teacher feature are fixed
functions of the (possibly interrupted) clip, so a round's scores depend on
the interruption as a real distiller's do."""
import torch
from mmaction.structures import ActionDataSample
from torch.utils.data import Dataset

#: A clip: one view, one channel, ``T`` frames of ``H x W``.
CLIP_SHAPE = (1, 1, 4, 4, 4)


class Clips(Dataset):
    """Item ``i`` is a clip drawn from a generator seeded by ``i``, packed
    as MMAction2's pipeline packs it."""

    def __init__(self, num: int) -> None:
        self.num = num

    def __len__(self) -> int:
        return self.num

    def __getitem__(self, i: int) -> dict:
        gen = torch.Generator().manual_seed(1000 + i)
        sample = ActionDataSample()
        sample.set_metainfo(dict(sample_idx=i))
        return dict(
            inputs=torch.randn(CLIP_SHAPE, generator=gen), data_samples=sample)


class Preprocessor:
    """Stacks the clips; ``format_shape`` sets the interruption's layout."""

    format_shape = 'NCTHW'

    def __call__(self, data: dict, training: bool = False) -> dict:
        return dict(
            inputs=torch.stack(data['inputs']),
            data_samples=data['data_samples'])


class StandIn:
    """A distiller's scoring interface: the loss is the mean square of the
    clip, the ``channels``-wide teacher feature a fixed linear map of it.

    Args:
        channels (int): Width of the teacher feature. Defaults to 6.
    """

    def __init__(self, channels: int = 6) -> None:
        gen = torch.Generator().manual_seed(7)
        width = torch.Size(CLIP_SHAPE).numel()
        self.weight = torch.randn(width, channels, generator=gen)
        self.data_preprocessor = Preprocessor()

    def score(self, inputs, data_samples) -> dict:
        flat = inputs.flatten(1)
        return dict(
            kd_loss=flat.pow(2).mean(1), teacher_feat=flat @ self.weight)
