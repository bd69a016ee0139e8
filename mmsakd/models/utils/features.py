"""Recognizer features and their views, shared by the distiller and the KD
losses."""
from typing import Optional, Sequence, Union

from torch import Tensor

#: What a recognizer's ``extract_feat`` returns: one tensor, or a tuple of
#: them (SlowFast: slow, fast), views folded into the batch.
Features = Union[Tensor, Sequence[Tensor]]


def first_tensor(feats: Features) -> Tensor:
    """The first tensor of ``feats``, nested tuples included."""
    return feats if isinstance(feats, Tensor) else first_tensor(feats[0])


def average_views(values: Tensor,
                  num_samples: Optional[int],
                  name: str = 'rows') -> Tensor:
    """``(N * V, ...)`` -> ``(N, ...)``: the mean over each sample's ``V``
    views, which recognizers fold into the batch sample-major.

    Args:
        values (Tensor): One row per view, ``N * V`` rows.
        num_samples (int, optional): ``N``; None leaves ``values`` as they
            are (one view per sample).
        name (str): What the rows are, for the error message.
            Defaults to ``'rows'``.

    Returns:
        Tensor: ``values`` itself when it has ``N`` rows, else the means.
    """
    if num_samples is None:
        return values
    rows = values.shape[0]
    if rows == num_samples:
        return values
    if num_samples <= 0 or rows % num_samples:
        raise ValueError(f'{rows} {name} for {num_samples} samples')
    return values.view(num_samples, rows // num_samples,
                       *values.shape[1:]).mean(dim=1)
