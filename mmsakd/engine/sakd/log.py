"""The record of a SAKD round: one JSON line in ``sakd_rounds.jsonl``
(read by :func:`mmsakd.utils.read_sakd_rounds`) and a log line."""
import numpy as np
import torch
from torch import Tensor

from .round import RoundResult
from .state import SAKDState


def round_record(result: RoundResult, state: SAKDState, labels: Tensor,
                 num_skipped: int, eta: float) -> dict:
    """The JSON record of a round.

    Args:
        result (RoundResult): What the round did.
        state (SAKDState): The state after it.
        labels (Tensor): ``(N,)`` class labels.
        num_skipped (int): Unreadable clips known so far.
        eta (float): The dropout/shuffle threshold.

    Returns:
        dict: The record.
    """
    alpha = state.alpha
    subset = torch.tensor(state.subset)
    num_classes = int(labels.max()) + 1 if len(labels) else 0
    rate = result.rate
    return dict(
        epoch=result.epoch,
        round=state.rounds,
        interruption_rate=round(rate, 6),
        interruption='none' if rate == 0 else
        ('dropout' if rate < eta else 'shuffle'),
        score_time=round(result.score_time, 3),
        score_data_time=round(result.score_data_time, 3),
        select_time=round(result.select_time, 3),
        ratio=round(result.ratio, 6),
        subset_size=len(state.subset),
        num_samples=len(alpha),
        scored=result.scored,
        reused=result.reused,
        skipped=num_skipped,
        alpha_mean=float(alpha.mean()),
        alpha_min=float(alpha.min()),
        alpha_max=float(alpha.max()),
        never_selected=float((state.omega == 0).float().mean()),
        classes_covered=int(len(labels[subset].unique())),
        num_classes=num_classes,
        alpha_hist=np.histogram(alpha.numpy(), bins=10,
                                range=(0., 1.))[0].tolist(),
        selected=state.subset,
        selected_labels=labels[subset].tolist())


def round_message(record: dict) -> str:
    """The log line of a round's record."""
    reused, skipped = record['reused'], record['skipped']
    return (f'SAKD round {record["round"]} (epoch {record["epoch"]}): scored '
            f'{record["scored"]} samples in {record["score_time"]:.1f}s '
            f'{f"(reused {reused} training losses) " if reused else ""}'
            f'(interruption {record["interruption"]}, rate '
            f'{record["interruption_rate"]:.3f}), selected '
            f'{record["subset_size"]} in {record["select_time"]:.2f}s; alpha '
            f'mean/min/max {record["alpha_mean"]:.3f}/'
            f'{record["alpha_min"]:.3f}/{record["alpha_max"]:.3f}; never '
            f'selected {100 * record["never_selected"]:.1f}%; classes '
            f'covered {record["classes_covered"]}/{record["num_classes"]}'
            f'{f"; {skipped} unreadable clips skipped" if skipped else ""}')
