from .sakd_distiller import SAKDDistiller

__all__ = ['SAKDDistiller']
