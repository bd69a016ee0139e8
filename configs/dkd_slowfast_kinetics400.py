# Vanilla DKD on SlowFast R101 8x8 -> SlowFast R50 4x16, Kinetics-400 (Table
# IV, DKD rows, SlowFast: "Vanilla"): every sample, fixed alpha (spec section
# 9).
_base_ = ['./_base_/paper/slowfast_kinetics400.py']

model = dict(kd_loss={{_base_.kd_methods.dkd}})
