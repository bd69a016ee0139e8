# SAKD with DualKD on Video Swin-S -> Swin-T, Kinetics-400:
# ./dualkd_swin_kinetics400.py trained on the 10% of the clips selected every
# epoch, with per-sample distillation strength
# (docs/method.md#selection-rounds). Paper: Table IV, DualKD rows, VideoST,
# "Ours".
_base_ = ['./dualkd_swin_kinetics400.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
