"""mmaction's multimodal models under transformers >= 5.

``import mmaction.models`` imports the VindLU models whenever
``transformers`` is installed, and they import names that transformers 5
removed (``transformers.modeling_utils.apply_chunking_to_forward``), so the
whole import fails with ``ImportError``. With transformers >= 5 mmaction is
told that the multimodal dependency is absent: VindLU gets mmaction's own
placeholders (which raise a clear error when built) and every other model
imports.
"""
from importlib import metadata

#: First transformers release whose API the VindLU code of mmaction 1.2.0
#: cannot import.
INCOMPATIBLE_TRANSFORMERS = (5, )


def _major_minor(version: str) -> tuple:
    parts = []
    for part in version.split('.')[:2]:
        digits = ''.join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def patch_incompatible_transformers() -> bool:
    """Disable mmaction's multimodal models if transformers is too new.

    Must run before ``mmaction.models`` is imported. Idempotent.

    Returns:
        bool: Whether the multimodal models were disabled.
    """
    try:
        version = metadata.version('transformers')
    except metadata.PackageNotFoundError:
        return False
    if _major_minor(version) < INCOMPATIBLE_TRANSFORMERS:
        return False
    import mmaction.utils.dependency as dependency
    dependency.WITH_MULTIMODAL = False
    return True
