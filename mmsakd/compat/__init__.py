"""Fixes that make mmaction2 1.2.0 and mmengine 0.10.7 work on torch >= 2.6,
numpy 2 and setuptools >= 81, applied once on ``import mmsakd``."""
from .checkpoint import load_from_local_trusted, patch_checkpoint_loading
from .config_package import patch_config_package
from .dist import patch_cpu_distributed, patch_cpu_slurm
from .drn import patch_missing_drn
from .multimodal import patch_incompatible_transformers
from .package_utils import patch_package_utils


def apply_compat_fixes() -> dict:
    """Apply every fix that the installed stack needs. Idempotent.

    ``patch_missing_drn`` must run before anything imports
    ``mmaction.models``.

    Returns:
        dict: For each fix, whether it is active.
    """
    return dict(
        drn=patch_missing_drn(),
        transformers=patch_incompatible_transformers(),
        checkpoint=patch_checkpoint_loading(),
        cpu_distributed=patch_cpu_distributed(),
        cpu_slurm=patch_cpu_slurm(),
        package_utils=patch_package_utils(),
        config_package=patch_config_package())


__all__ = [
    'apply_compat_fixes', 'patch_missing_drn', 'patch_checkpoint_loading',
    'patch_cpu_distributed', 'patch_cpu_slurm', 'patch_package_utils',
    'patch_incompatible_transformers', 'patch_config_package',
    'load_from_local_trusted'
]
