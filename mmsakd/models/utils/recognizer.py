"""Running MMAction2 recognizers and reading their data samples."""
from typing import Dict, List, Tuple

import torch
from mmaction.utils import OptSampleList, SampleList
from torch import Tensor, nn

from .features import Features, average_views


def run_recognizer(
    model: nn.Module,
    inputs: Tensor,
    data_samples: OptSampleList = None
) -> Tuple[Tensor, Features, Dict[str, Tensor]]:
    """Logits ``(N, K)`` (views averaged), features and auxiliary losses of
    a recognizer in its current mode.

    The same path as ``BaseRecognizer.loss`` up to the head's logits; the
    neck computes auxiliary losses (TPN) only when given ``data_samples``.

    Args:
        model (nn.Module): An MMAction2 recognizer with a ``cls_head``.
        inputs (Tensor): Preprocessed inputs of ``N`` samples.
        data_samples (list[ActionDataSample], optional): Their data
            samples. Defaults to None.

    Returns:
        tuple: The logits, the output of ``extract_feat`` (views folded
        into the batch) and the auxiliary losses (possibly empty).
    """
    feats, head_kwargs = model.extract_feat(inputs, data_samples=data_samples)
    aux_losses = head_kwargs.pop('loss_aux', None) or {}
    logits = model.cls_head(feats, **head_kwargs)
    return average_views(logits, inputs.shape[0],
                         'rows of logits'), feats, aux_losses


def batch_labels(data_samples: SampleList, logits: Tensor) -> Tensor:
    """The ``gt_label`` of every data sample on the device of ``logits``.

    Args:
        data_samples (list[ActionDataSample]): ``N`` samples, each with a
            ``gt_label``.
        logits (Tensor): ``(N, K)`` logits of the batch.

    Returns:
        Tensor: ``(N,)`` class indices, or ``(N, K)`` float soft labels.
    """
    for sample in data_samples:
        if 'gt_label' not in sample:
            raise ValueError('every data sample needs a gt_label for the '
                             'distillation loss')
    labels = torch.stack([
        torch.as_tensor(sample.gt_label) for sample in data_samples
    ]).to(logits.device)
    num_samples = len(data_samples)
    if labels.is_floating_point() and labels.shape == logits.shape:
        return labels.float()
    if labels.numel() != num_samples:
        raise ValueError('gt_label must be one class index per sample or '
                         f'soft labels of shape {tuple(logits.shape)}, got '
                         f'{tuple(labels.shape)} for {num_samples} samples')
    return labels.view(num_samples).long()


def sample_indices(data_samples: SampleList,
                   num_samples: int,
                   name: str = 'alpha') -> Tensor:
    """The dataset index (``sample_idx``) of each data sample.

    Args:
        data_samples (list[ActionDataSample]): The batch's data samples.
        num_samples (int): The size of the training set; every index must
            be in ``[0, num_samples)``.
        name (str): What is looked up by the indices (``'alpha'`` or
            ``'weight'``), used in the messages. Defaults to 'alpha'.

    Returns:
        Tensor: ``(N,)`` int64.
    """
    indices: List[int] = []
    for sample in data_samples:
        index = sample.metainfo.get('sample_idx', None)
        if index is None:
            raise ValueError(
                f'per-sample {name} needs each data sample\'s dataset index: '
                'add \'sample_idx\' to the meta_keys of PackActionInputs in '
                'the training pipeline')
        index = int(index)
        if not 0 <= index < num_samples:
            raise ValueError(
                f'sample_idx {index} is out of range for the per-sample '
                f'{name} of {num_samples} samples (set_sample_{name} must '
                'get one value per training sample)')
        indices.append(index)
    return torch.tensor(indices, dtype=torch.long)
