"""mmsakd: Sample-level Adaptive Knowledge Distillation for MMAction2."""
import importlib.util

# No requirement can ask for either mmcv distribution (setup.py).
if importlib.util.find_spec('mmcv') is None:
    raise ModuleNotFoundError(
        'mmsakd needs the `mmcv` package, which two distributions provide: '
        '`pip install mmcv-lite==2.1.0` (pure Python, all that mmsakd uses, '
        'on CPUs and GPUs alike; the `lite` extra) or the full '
        '`mmcv==2.1.0` (adds compiled ops; mmaction2 1.2.0 refuses '
        '`mmcv>=2.2`). Install one, not both.',
        name='mmcv')

from .compat import apply_compat_fixes  # noqa: E402

COMPAT_FIXES = apply_compat_fixes()

# Imported after the fixes: these modules import mmaction.models.
from . import datasets, engine, models, registry, selection  # noqa: E402,F401
from .compat.ddp_wrapper import DeviceAwareDistributedDataParallel  # noqa
from .version import __version__  # noqa: E402

__all__ = ['COMPAT_FIXES', 'DeviceAwareDistributedDataParallel', '__version__']
