"""Move restored training state to the CPU."""
import torch


def to_cpu(obj):
    """``obj`` with every tensor in it moved to the CPU.

    Dicts (as plain dicts), lists and tuples (named tuples too) are rebuilt
    with their items converted; other objects are returned as they are. A
    tensor already on the CPU is returned itself, not copied, and a tensor
    elsewhere is copied to the CPU in one step, without computing anything
    on its device.

    Args:
        obj: A tensor, or a container of tensors and other objects.

    Returns:
        The same structure with CPU tensors.
    """
    if isinstance(obj, torch.Tensor):
        return obj.to('cpu')
    if isinstance(obj, dict):
        return {key: to_cpu(value) for key, value in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, '_fields'):
        return type(obj)(*(to_cpu(item) for item in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_cpu(item) for item in obj)
    return obj
