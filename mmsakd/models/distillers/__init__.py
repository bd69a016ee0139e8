from .sakd_distiller import SAKDDistiller
from .sample_tables import SampleTables
from .teacher import FrozenTeacherMixin

__all__ = ['SAKDDistiller', 'SampleTables', 'FrozenTeacherMixin']
