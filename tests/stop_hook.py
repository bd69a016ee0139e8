"""Hooks that stop or kill training at a given point, to emulate an
interrupted run in resume tests (imported through ``custom_imports``)."""
import os
import signal

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


@HOOKS.register_module()
class KillHook(Hook):
    """SIGKILL this process once, as a crash or a preempted job would end it:
    after iteration ``iteration`` of epoch ``epoch`` (``during='train'``), or
    in the scoring pass that starts epoch ``epoch``, after ``iteration``
    scored batches (``during='scoring'``). Epochs and iterations count from
    0. It kills only while ``marker`` does not exist, and creates it first,
    so that the resumed run goes on."""

    # Before SAKDHook (ABOVE_NORMAL), so that the scoring pass it starts
    # runs through the wrapped ``score``.
    priority = 'VERY_HIGH'

    def __init__(self,
                 epoch: int,
                 iteration: int,
                 marker: str,
                 during: str = 'train') -> None:
        assert during in ('train', 'scoring')
        self.epoch = epoch
        self.iteration = iteration
        self.marker = marker
        self.during = during

    def _kill(self) -> None:
        with open(self.marker, 'w') as f:
            f.write('killed\n')
        os.kill(os.getpid(), signal.SIGKILL)

    def before_train_epoch(self, runner) -> None:
        if (self.during != 'scoring' or runner.epoch != self.epoch
                or os.path.exists(self.marker)):
            return
        from mmengine.model import is_model_wrapper
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        score, calls = model.score, []

        def score_then_kill(*args, **kwargs):
            if len(calls) == self.iteration:
                self._kill()
            calls.append(1)
            return score(*args, **kwargs)

        model.score = score_then_kill

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        if (self.during == 'train' and runner.epoch == self.epoch
                and batch_idx == self.iteration
                and not os.path.exists(self.marker)):
            self._kill()
