# SAKD with CTKD on TPN-f32s2 R101 -> TPN-f8s8 R50, UCF101 (Table III, CTKD
# rows, TPN: "Ours"): ./ctkd_tpn_ucf101.py trained on 10% of the clips,
# selected every epoch, with per-sample distillation strength.
_base_ = ['./ctkd_tpn_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_hook}}]
