import pytest
from mmengine.logging import MessageHub

RUNTIME_KEYS = ('epoch', 'max_epochs', 'iter')


@pytest.fixture
def runtime_info():
    """Set the MessageHub runtime info that RuntimeInfoHook records
    (``epoch``, ``max_epochs``, ``iter``) for a test; restore it
    afterwards."""
    hub = MessageHub.get_current_instance()
    saved = {key: hub.get_info(key) for key in RUNTIME_KEYS}

    def set_info(**info):
        for key in RUNTIME_KEYS:
            hub.pop_info(key)
        for key, value in info.items():
            hub.update_info(key, value)

    set_info()
    yield set_info
    set_info(**{k: v for k, v in saved.items() if v is not None})
