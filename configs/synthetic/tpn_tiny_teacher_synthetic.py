# Trains the tiny tpn teacher on the synthetic dataset; copy its last
# checkpoint to checkpoints/tpn_tiny_teacher_synthetic.pth, where
# ./*_tpn_tiny_synthetic.py read it.
_base_ = [
    '../_base_/models/tpn_tiny_teacher.py',
    '../_base_/datasets/synthetic_action.py',
    '../_base_/schedules/adamw_tiny.py', '../_base_/default_runtime.py'
]
