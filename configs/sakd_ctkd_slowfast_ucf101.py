# SAKD with CTKD on SlowFast R101 8x8 -> SlowFast R50 4x16, UCF101 (Table III,
# CTKD rows, SlowFast: "Ours"): ./ctkd_slowfast_ucf101.py trained on 10% of the
# clips, selected every epoch, with per-sample distillation strength.
_base_ = ['./ctkd_slowfast_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_hook}}]
