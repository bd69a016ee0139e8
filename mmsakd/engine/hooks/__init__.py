from .dropout_shuffle_hook import DropoutShuffleHook
from .random_state_hook import RandomStateHook
from .sakd_hook import SAKDHook
from .train_time_hook import TrainTimeHook

__all__ = [
    'DropoutShuffleHook', 'RandomStateHook', 'SAKDHook', 'TrainTimeHook'
]
