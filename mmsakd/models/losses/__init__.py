from .base_kd_loss import BaseKDLoss
from .kd_loss import KDLoss

__all__ = ['BaseKDLoss', 'KDLoss']
