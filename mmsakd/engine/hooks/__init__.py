from .random_state_hook import RandomStateHook
from .sakd_hook import SAKDHook, rank_batches

__all__ = ['RandomStateHook', 'SAKDHook', 'rank_batches']
