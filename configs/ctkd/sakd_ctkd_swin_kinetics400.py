# SAKD with CTKD on Video Swin-S -> Swin-T, Kinetics-400:
# ./ctkd_swin_kinetics400.py trained on the 10% of the clips selected every
# epoch, with per-sample distillation strength
# (docs/method.md#selection-rounds). Paper: Table IV, CTKD rows, VideoST,
# "Ours".
_base_ = ['./ctkd_swin_kinetics400.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
