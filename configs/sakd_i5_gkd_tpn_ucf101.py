# SAKD with GKD (the paper's "CKD [8]") on TPN-f32s2 R101 -> TPN-f8s8 R50,
# UCF101 (Table III, "CKD [8]" rows, TPN: "Ours*"): ./sakd_gkd_tpn_ucf101.py
# with a selection round every 5 epochs; between rounds the subset and the
# strengths are kept.
_base_ = ['./sakd_gkd_tpn_ucf101.py']

custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_i5_hook}}]
