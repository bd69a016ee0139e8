from .multigrid_batch_sampler import MultigridBatchSampler
from .subset_sampler import SubsetSampler

__all__ = ['MultigridBatchSampler', 'SubsetSampler']
