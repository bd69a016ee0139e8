from . import hooks  # noqa: F401
from . import sakd  # noqa: F401
from .scoring import (Scores, build_scoring_loader, rank_batches,
                      score_samples, training_autocast)

__all__ = [
    'Scores', 'build_scoring_loader', 'rank_batches', 'score_samples',
    'training_autocast'
]
