# Vanilla GKD (the paper's "CKD [8]") on SlowFast R101 8x8 -> SlowFast R50
# 4x16, UCF101: every clip, every epoch, fixed alpha
# (docs/method.md#vanilla-baselines). Paper: Table III, "CKD [8]" rows,
# SlowFast, "Vanilla".
_base_ = ['../_base_/distill/slowfast_ucf101.py']

model = dict(kd_loss={{_base_.kd_methods.gkd}})
