# SAKD with feature KD (FitNets, spec Eq. 1) on SlowFast R101 8x8 -> SlowFast
# R50 4x16, Kinetics-400 (not a row of Table IV: "Ours*"):
# ./sakd_fkd_slowfast_kinetics400.py with a selection round every 5 epochs;
# between rounds the subset and the strengths are kept.
_base_ = ['./sakd_fkd_slowfast_kinetics400.py']

custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_i5_hook}}]
