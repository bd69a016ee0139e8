"""The training loop's progress, as MMEngine's ``RuntimeInfoHook`` records
it in the current :class:`MessageHub`."""
from typing import NamedTuple, Optional

from mmengine.logging import MessageHub


class RuntimeProgress(NamedTuple):
    """Where the running training loop is; None where unknown (no runner,
    e.g. unit tests or standalone use).

    Attributes:
        epoch (int, optional): The current 0-based epoch.
        max_epochs (int, optional): The length of training in epochs; None
            also when it is 0 (iteration-based loops).
        iter (int, optional): The current 0-based iteration, counted over
            the whole run.
    """
    epoch: Optional[int]
    max_epochs: Optional[int]
    iter: Optional[int]


def runtime_progress() -> RuntimeProgress:
    """The ``epoch``, ``max_epochs`` and ``iter`` runtime info of the current
    message hub."""
    hub = MessageHub.get_current_instance()
    epoch = hub.get_info('epoch')
    max_epochs = hub.get_info('max_epochs')
    iteration = hub.get_info('iter')
    return RuntimeProgress(
        epoch=None if epoch is None else int(epoch),
        max_epochs=None if not max_epochs else int(max_epochs),
        iter=None if iteration is None else int(iteration))
