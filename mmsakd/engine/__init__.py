from . import hooks  # noqa: F401
from .scoring import build_scoring_loader, rank_batches, score_samples

__all__ = ['build_scoring_loader', 'rank_batches', 'score_samples']
