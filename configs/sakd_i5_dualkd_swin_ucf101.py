# SAKD with DualKD on Video Swin-S -> Swin-T, UCF101 (Table III, DualKD rows,
# VideoST: "Ours*"): ./sakd_dualkd_swin_ucf101.py with a selection round every
# 5 epochs; between rounds the subset and the strengths are kept.
_base_ = ['./sakd_dualkd_swin_ucf101.py']

custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_i5_hook}}]
