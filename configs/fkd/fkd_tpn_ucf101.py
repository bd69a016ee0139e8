# Vanilla feature KD (FitNets, Eq. 1, docs/method.md#training-loss) on
# TPN-f32s2 R101 -> TPN-f8s8 R50, UCF101: every clip, every epoch, fixed
# alpha (docs/method.md#vanilla-baselines). Not a row of the paper's Table
# III.
_base_ = ['../_base_/distill/tpn_ucf101.py']

model = dict(kd_loss={{_base_.kd_methods.fkd}})
