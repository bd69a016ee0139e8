# Vanilla DualKD on SlowFast R101 8x8 -> SlowFast R50 4x16, UCF101 (Table III,
# DualKD rows, SlowFast: "Vanilla"): every sample, fixed alpha (spec section
# 9).
_base_ = ['./_base_/paper/slowfast_ucf101.py']

model = dict(kd_loss={{_base_.kd_methods.dualkd}})
