"""mmsakd: Sample-level Adaptive Knowledge Distillation for MMAction2."""
from .compat import apply_compat_fixes

COMPAT_FIXES = apply_compat_fixes()

# Imported after the fixes: these modules import mmaction.models.
from . import datasets, engine, models, registry, selection  # noqa: E402,F401
from .compat.ddp_wrapper import DeviceAwareDistributedDataParallel  # noqa
from .version import __version__  # noqa: E402

__all__ = ['COMPAT_FIXES', 'DeviceAwareDistributedDataParallel', '__version__']
