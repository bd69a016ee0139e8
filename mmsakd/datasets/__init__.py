from . import samplers, synthetic, transforms  # noqa: F401
from .clip_errors import (ClipLoadError, describe_clip, name_clip_errors,
                          patch_clip_errors)
from .multigrid import MultigridClips
from .multigrid_schedule import MultigridSchedule
from .replay import ReplayAugmentation, replay_seeds
from .skip_broken_clips import (SkipBrokenClips, SkippedClip,
                                skip_broken_collate, skipped_mask,
                                write_skipped)

#: MMAction2's datasets name the clip that fails to load.
CLIP_ERRORS_NAMED = patch_clip_errors()

__all__ = [
    'ClipLoadError', 'describe_clip', 'name_clip_errors', 'patch_clip_errors',
    'CLIP_ERRORS_NAMED', 'MultigridClips', 'MultigridSchedule',
    'ReplayAugmentation', 'replay_seeds', 'SkipBrokenClips', 'SkippedClip',
    'skip_broken_collate', 'skipped_mask', 'write_skipped'
]
