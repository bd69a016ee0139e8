# SAKD with KD (Hinton et al.) on TPN-f32s2 R101 -> TPN-f8s8 R50, Kinetics-400
# (not in the paper (no TPN on Kinetics-400): "Ours*"):
# ./sakd_tpn_kinetics400.py with a selection round every 5 epochs; between
# rounds the subset and the strengths are kept.
_base_ = ['./sakd_tpn_kinetics400.py']

custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_i5_hook}}]
