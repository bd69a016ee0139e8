# SAKD with DKD on Video Swin-S -> Swin-T, UCF101: ./dkd_swin_ucf101.py
# trained on the 10% of the clips selected every epoch, with per-sample
# distillation strength (docs/method.md#selection-rounds). Paper: Table III,
# DKD rows, VideoST, "Ours".
_base_ = ['./dkd_swin_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
