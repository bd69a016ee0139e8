"""Models of mmsakd: the teacher-student distiller and the KD losses,
registered in ``mmsakd.registry.MODELS``."""
from .distillers import SAKDDistiller
from .losses import (BaseKDLoss, CrossKDLoss, CTKDLoss, DKDLoss, DualKDLoss,
                     FeatureKDLoss, GKDLoss, KDLoss)

__all__ = [
    'SAKDDistiller', 'BaseKDLoss', 'KDLoss', 'DKDLoss', 'CTKDLoss',
    'CrossKDLoss', 'FeatureKDLoss', 'DualKDLoss', 'GKDLoss'
]
