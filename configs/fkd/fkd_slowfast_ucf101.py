# Vanilla feature KD (FitNets, Eq. 1, docs/method.md#training-loss) on
# SlowFast R101 8x8 -> SlowFast R50 4x16, UCF101: every clip, every epoch,
# fixed alpha (docs/method.md#vanilla-baselines). Not a row of the paper's
# Table III.
_base_ = ['../_base_/distill/slowfast_ucf101.py']

model = dict(kd_loss={{_base_.kd_methods.fkd}})
