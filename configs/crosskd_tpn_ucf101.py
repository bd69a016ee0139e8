# Vanilla CrossKD on TPN-f32s2 R101 -> TPN-f8s8 R50, UCF101 (Table III, CrossKD
# rows, TPN: "Vanilla"): every sample, fixed alpha (spec section 9).
_base_ = ['./_base_/paper/tpn_ucf101.py']

model = dict(kd_loss={{_base_.kd_methods.crosskd}})
