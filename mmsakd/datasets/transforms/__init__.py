from .interruption import DropoutShuffle

__all__ = ['DropoutShuffle']
