# Vanilla DKD on SlowFast R101 8x8 -> SlowFast R50 4x16, Kinetics-400: every
# clip, every epoch, fixed alpha (docs/method.md#vanilla-baselines). Paper:
# Table IV, DKD rows, SlowFast, "Vanilla".
_base_ = ['../_base_/distill/slowfast_kinetics400.py']

model = dict(kd_loss={{_base_.kd_methods.dkd}})
