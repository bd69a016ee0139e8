# The tiny swin student trained alone (cross-entropy only): the
# no-distillation baseline.
_base_ = [
    '../_base_/models/swin_tiny_student.py',
    '../_base_/datasets/synthetic_action.py',
    '../_base_/schedules/adamw_tiny.py', '../_base_/default_runtime.py'
]
