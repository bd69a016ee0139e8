# SAKD with DKD on TPN-f32s2 R101 -> TPN-f8s8 R50, UCF101 (Table III, DKD rows,
# TPN: "Ours*"): ./sakd_dkd_tpn_ucf101.py with a selection round every 5
# epochs; between rounds the subset and the strengths are kept.
_base_ = ['./sakd_dkd_tpn_ucf101.py']

custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_i5_hook}}]
