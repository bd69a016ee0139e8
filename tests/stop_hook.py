"""A hook that stops training after a given epoch, to emulate an
interrupted run in resume tests (imported through ``custom_imports``)."""
from mmengine.hooks import Hook

from mmsakd.registry import HOOKS


@HOOKS.register_module()
class StopAfterEpochHook(Hook):
    """Stop the training loop once ``stop_epoch`` epochs are done."""

    priority = 'LOWEST'

    def __init__(self, stop_epoch: int) -> None:
        self.stop_epoch = stop_epoch

    def after_train_epoch(self, runner) -> None:
        if runner.epoch + 1 >= self.stop_epoch:
            runner.train_loop.stop_training = True
