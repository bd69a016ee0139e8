# Vanilla DKD on Video Swin-S -> Swin-T, Kinetics-400: every clip, every
# epoch, fixed alpha (docs/method.md#vanilla-baselines). Paper: Table IV, DKD
# rows, VideoST, "Vanilla".
_base_ = ['../_base_/distill/swin_kinetics400.py']

model = dict(kd_loss={{_base_.kd_methods.dkd}})
