# Vanilla feature KD (FitNets, spec Eq. 1) on TPN-f32s2 R101 -> TPN-f8s8 R50,
# UCF101 (not a row of Table III: "Vanilla"): every sample, fixed alpha (spec
# section 9).
_base_ = ['./_base_/paper/tpn_ucf101.py']

model = dict(kd_loss={{_base_.kd_methods.fkd}})
