# Trains the tiny swin teacher on the synthetic dataset; copy its last
# checkpoint to checkpoints/swin_tiny_teacher_synthetic.pth, where
# ./*_swin_tiny_synthetic.py read it.
_base_ = [
    '../_base_/models/swin_tiny_teacher.py',
    '../_base_/datasets/synthetic_action.py',
    '../_base_/schedules/adamw_tiny.py', '../_base_/default_runtime.py'
]
