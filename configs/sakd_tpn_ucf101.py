# SAKD with KD (Hinton et al.) on TPN-f32s2 R101 -> TPN-f8s8 R50, UCF101 (Table
# III, KD rows, TPN: "Ours"): ./kd_tpn_ucf101.py trained on 10% of the clips,
# selected every epoch, with per-sample distillation strength.
_base_ = ['./kd_tpn_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_hook}}]
