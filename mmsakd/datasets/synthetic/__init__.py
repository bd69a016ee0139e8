"""A synthetic action-video dataset whose classes differ only in motion.

Every clip shows one *actor* (a bar) on a cluttered, textured background with
small distractor blobs, camera jitter, flicker and pixel noise. The actor's
appearance (colour, size, orientation, contrast) and position are drawn from
the same distribution for every class, so a single frame carries no
information about the label; only how the actor moves over time does
(:mod:`.motions`). The settings are in :mod:`.config`, the drawing in
:mod:`.render`, the files in :mod:`.annotations` and :mod:`.generator`
(docs/synthetic_dataset.md).
"""
from .annotations import (annotation_paths, dataset_is_complete,
                          read_annotations)
from .config import (CLASSES, DECODABLE_SIZES, MOTIONS, SOURCE_CLASSES,
                     SyntheticActionConfig)
from .generator import clip_label, draw_clip, generate_dataset
from .render import render_clip

__all__ = [
    'CLASSES', 'DECODABLE_SIZES', 'MOTIONS', 'SOURCE_CLASSES',
    'SyntheticActionConfig', 'annotation_paths', 'clip_label',
    'dataset_is_complete', 'draw_clip', 'generate_dataset', 'read_annotations',
    'render_clip'
]
