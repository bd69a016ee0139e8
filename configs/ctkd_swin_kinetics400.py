# Vanilla CTKD on Video Swin-S -> Swin-T, Kinetics-400 (Table IV, CTKD rows,
# VideoST: "Vanilla"): every sample, fixed alpha (spec section 9).
_base_ = ['./_base_/paper/swin_kinetics400.py']

model = dict(kd_loss={{_base_.kd_methods.ctkd}})
