from typing import Optional

from mmengine.hooks import Hook

from mmsakd.selection import check_file_name, check_int


class SubsetHook(Hook):
    """Base of the hooks that hand each epoch's subset to the
    :class:`SubsetSampler` (:class:`SAKDHook`, :class:`InfoBatchHook`,
    :class:`RandomSubsetHook`): their seed and their JSON-lines log.

    Args:
        seed (int, optional): Seed of the hook's random draws, >= 0; None
            takes ``randomness.seed`` of the config (0 if unset).
        log_file (str): File name, in the work dir, of the hook's JSON
            lines.
    """

    # Before IterTimerHook (NORMAL): the subset must be set before the
    # epoch's first batch is drawn, and a scoring pass run then is not
    # data loading time.
    priority = 'ABOVE_NORMAL'

    def __init__(self, seed: Optional[int], log_file: str) -> None:
        if seed is not None:
            check_int('seed', seed, 0)
        check_file_name('log_file', log_file)
        self.seed = seed
        self.log_file = log_file
