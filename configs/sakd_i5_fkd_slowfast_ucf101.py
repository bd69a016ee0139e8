# SAKD with feature KD (FitNets, spec Eq. 1) on SlowFast R101 8x8 -> SlowFast
# R50 4x16, UCF101 (not a row of Table III: "Ours*"):
# ./sakd_fkd_slowfast_ucf101.py with a selection round every 5 epochs; between
# rounds the subset and the strengths are kept.
_base_ = ['./sakd_fkd_slowfast_ucf101.py']

custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_i5_hook}}]
