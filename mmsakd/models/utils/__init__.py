"""Helpers of the distiller and the KD losses: model configs, checkpoints,
recognizer runs and their features, training progress, interruption of
training batches, the teacher-output cache and store."""
from .checkpoint import (DDP_REVISE_KEYS, STUDENT_PREFIX, TEACHER_PREFIX,
                         checkpoint_state_dict, load_recognizer_checkpoint,
                         read_checkpoint, strip_prefix)
from .checks import check_sample_vector, is_int, is_number
from .compatibility import check_compatible, num_classes, preprocessing
from .features import Features, average_views, first_tensor
from .interruption import (INTERRUPT_DEFAULTS, interrupt_layout,
                           interrupt_settings, interrupt_training_batch)
from .model_config import load_config, resolve_model_cfg
from .recognizer import batch_labels, run_recognizer, sample_indices
from .runtime import RuntimeProgress, runtime_progress
from .teacher_cache import (CACHE_PREFIX, TeacherOutputCache, add_cache_state,
                            build_teacher_cache, cached_teacher_logits,
                            load_cache_state)
from .teacher_store import (TeacherOutputStore, store_nbytes,
                            stored_teacher_logits)

__all__ = [
    'DDP_REVISE_KEYS', 'STUDENT_PREFIX', 'TEACHER_PREFIX',
    'checkpoint_state_dict', 'load_recognizer_checkpoint', 'read_checkpoint',
    'strip_prefix', 'check_sample_vector', 'is_int', 'is_number',
    'check_compatible', 'num_classes', 'preprocessing', 'Features',
    'average_views', 'first_tensor', 'INTERRUPT_DEFAULTS', 'interrupt_layout',
    'interrupt_settings', 'interrupt_training_batch', 'load_config',
    'resolve_model_cfg', 'batch_labels', 'run_recognizer', 'sample_indices',
    'RuntimeProgress', 'runtime_progress', 'CACHE_PREFIX',
    'TeacherOutputCache', 'build_teacher_cache', 'cached_teacher_logits',
    'add_cache_state', 'load_cache_state', 'TeacherOutputStore',
    'store_nbytes', 'stored_teacher_logits'
]
