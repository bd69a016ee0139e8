# Vanilla feature KD (FitNets, spec Eq. 1) on Video Swin-S -> Swin-T, UCF101
# (not a row of Table III: "Vanilla"): every sample, fixed alpha (spec section
# 9).
_base_ = ['./_base_/paper/swin_ucf101.py']

model = dict(kd_loss={{_base_.kd_methods.fkd}})
