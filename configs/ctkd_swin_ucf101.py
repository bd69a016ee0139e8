# Vanilla CTKD on Video Swin-S -> Swin-T, UCF101 (Table III, CTKD rows,
# VideoST: "Vanilla"): every sample, fixed alpha (spec section 9).
_base_ = ['./_base_/paper/swin_ucf101.py']

model = dict(kd_loss={{_base_.kd_methods.ctkd}})
