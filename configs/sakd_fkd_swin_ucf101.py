# SAKD with feature KD (FitNets, spec Eq. 1) on Video Swin-S -> Swin-T, UCF101
# (not a row of Table III: "Ours"): ./fkd_swin_ucf101.py trained on 10% of the
# clips, selected every epoch, with per-sample distillation strength.
_base_ = ['./fkd_swin_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_hook}}]
