from .launcher import apply_launcher_defaults

__all__ = ['apply_launcher_defaults']
