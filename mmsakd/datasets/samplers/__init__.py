from .subset_sampler import SubsetSampler

__all__ = ['SubsetSampler']
