# SAKD with CrossKD on SlowFast R101 8x8 -> SlowFast R50 4x16, Kinetics-400
# (Table IV, CrossKD rows, SlowFast: "Ours*"):
# ./sakd_crosskd_slowfast_kinetics400.py with a selection round every 5 epochs;
# between rounds the subset and the strengths are kept.
_base_ = ['./sakd_crosskd_slowfast_kinetics400.py']

custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_i5_hook}}]
