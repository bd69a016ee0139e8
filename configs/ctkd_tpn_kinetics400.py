# Vanilla CTKD on TPN-f32s2 R101 -> TPN-f8s8 R50, Kinetics-400 (not in the
# paper (no TPN on Kinetics-400): "Vanilla"): every sample, fixed alpha (spec
# section 9).
_base_ = ['./_base_/paper/tpn_kinetics400.py']

model = dict(kd_loss={{_base_.kd_methods.ctkd}})
