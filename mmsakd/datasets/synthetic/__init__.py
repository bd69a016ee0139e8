from .generator import (CLASSES, DECODABLE_SIZES, MOTIONS, SOURCE_CLASSES,
                        SyntheticActionConfig, annotation_paths, clip_label,
                        dataset_is_complete, generate_dataset,
                        read_annotations, render_clip)

__all__ = [
    'CLASSES', 'DECODABLE_SIZES', 'MOTIONS', 'SOURCE_CLASSES',
    'SyntheticActionConfig', 'annotation_paths', 'clip_label',
    'dataset_is_complete', 'generate_dataset', 'read_annotations',
    'render_clip'
]
