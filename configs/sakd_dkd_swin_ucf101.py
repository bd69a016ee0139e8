# SAKD with DKD on Video Swin-S -> Swin-T, UCF101 (Table III, DKD rows,
# VideoST: "Ours"): ./dkd_swin_ucf101.py trained on 10% of the clips, selected
# every epoch, with per-sample distillation strength.
_base_ = ['./dkd_swin_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_hook}}]
