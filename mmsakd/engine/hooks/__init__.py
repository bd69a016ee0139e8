from .random_state_hook import RandomStateHook
from .sakd_hook import SAKDHook, rank_batches
from .train_time_hook import TrainTimeHook

__all__ = ['RandomStateHook', 'SAKDHook', 'TrainTimeHook', 'rank_batches']
