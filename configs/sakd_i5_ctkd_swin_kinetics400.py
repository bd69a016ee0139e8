# SAKD with CTKD on Video Swin-S -> Swin-T, Kinetics-400 (Table IV, CTKD rows,
# VideoST: "Ours*"): ./sakd_ctkd_swin_kinetics400.py with a selection round
# every 5 epochs; between rounds the subset and the strengths are kept.
_base_ = ['./sakd_ctkd_swin_kinetics400.py']

custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_i5_hook}}]
