# SAKD with KD (Hinton et al.) on Video Swin-S -> Swin-T, Kinetics-400 (Table
# IV, KD rows, VideoST: "Ours"): ./kd_swin_kinetics400.py trained on 10% of the
# clips, selected every epoch, with per-sample distillation strength.
_base_ = ['./kd_swin_kinetics400.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_hook}}]
