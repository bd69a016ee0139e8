from .base_kd_loss import BaseFeatureKDLoss, BaseKDLoss
from .crosskd_loss import CrossKDLoss
from .ctkd_loss import CTKDLoss
from .dkd_loss import DKDLoss
from .dual_kd_loss import DualKDLoss
from .feature_kd_loss import FeatureKDLoss
from .gkd_loss import GKDLoss
from .kd_loss import KDLoss

__all__ = [
    'BaseKDLoss', 'BaseFeatureKDLoss', 'KDLoss', 'DKDLoss', 'CTKDLoss',
    'CrossKDLoss', 'FeatureKDLoss', 'DualKDLoss', 'GKDLoss'
]
