# Trains the tiny slowfast teacher on the synthetic dataset; `make teacher`
# trains it and copies its last checkpoint to
# checkpoints/slowfast_tiny_teacher_synthetic.pth.
_base_ = [
    '../_base_/models/slowfast_tiny_teacher.py',
    '../_base_/datasets/synthetic_action.py',
    '../_base_/schedules/adamw_tiny.py', '../_base_/default_runtime.py'
]
