# Vanilla DualKD on TPN-f32s2 R101 -> TPN-f8s8 R50, Kinetics-400: every clip,
# every epoch, fixed alpha (docs/method.md#vanilla-baselines). Not in the
# paper (Table IV has no TPN).
_base_ = ['../_base_/distill/tpn_kinetics400.py']

model = dict(kd_loss={{_base_.kd_methods.dualkd}})
