# Vanilla DualKD on Video Swin-S -> Swin-T, UCF101: every clip, every epoch,
# fixed alpha (docs/method.md#vanilla-baselines). Paper: Table III, DualKD
# rows, VideoST, "Vanilla".
_base_ = ['../_base_/distill/swin_ucf101.py']

model = dict(kd_loss={{_base_.kd_methods.dualkd}})
