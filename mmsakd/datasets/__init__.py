from . import samplers, synthetic, transforms  # noqa: F401
