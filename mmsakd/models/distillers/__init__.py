from .sakd_distiller import SAKDDistiller, resolve_model_cfg

__all__ = ['SAKDDistiller', 'resolve_model_cfg']
