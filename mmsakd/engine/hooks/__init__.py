from .broken_clips_hook import BrokenClipsHook
from .dropout_shuffle_hook import (DropoutShuffleHook, find_dropout_shuffles,
                                   find_in_dataset)
from .group_subset_hook import GroupSubsetHook
from .infobatch_hook import InfoBatchHook
from .multigrid_hook import MultigridHook
from .random_state_hook import RandomStateHook
from .random_subset_hook import RandomSubsetHook
from .replay_hook import ReplayAugmentationHook
from .sakd_hook import SAKDHook
from .teacher_store_hook import TeacherStoreHook
from .train_time_hook import TrainTimeHook
from .utils import check_by_epoch_schedulers, fix_max_iters, unwrap_model

__all__ = [
    'BrokenClipsHook', 'DropoutShuffleHook', 'GroupSubsetHook',
    'InfoBatchHook', 'MultigridHook', 'RandomStateHook', 'RandomSubsetHook',
    'ReplayAugmentationHook', 'SAKDHook', 'TeacherStoreHook', 'TrainTimeHook',
    'check_by_epoch_schedulers', 'find_dropout_shuffles', 'find_in_dataset',
    'fix_max_iters', 'unwrap_model'
]
