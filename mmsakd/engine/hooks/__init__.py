from .broken_clips_hook import BrokenClipsHook
from .dropout_shuffle_hook import DropoutShuffleHook
from .infobatch_hook import InfoBatchHook
from .random_state_hook import RandomStateHook
from .random_subset_hook import RandomSubsetHook
from .sakd_hook import SAKDHook
from .train_time_hook import TrainTimeHook
from .utils import check_by_epoch_schedulers, fix_max_iters, unwrap_model

__all__ = [
    'BrokenClipsHook', 'DropoutShuffleHook', 'InfoBatchHook',
    'RandomStateHook', 'RandomSubsetHook', 'SAKDHook', 'TrainTimeHook',
    'check_by_epoch_schedulers', 'fix_max_iters', 'unwrap_model'
]
