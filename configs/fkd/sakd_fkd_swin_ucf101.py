# SAKD with feature KD (FitNets, Eq. 1, docs/method.md#training-loss) on
# Video Swin-S -> Swin-T, UCF101: ./fkd_swin_ucf101.py trained on the 10% of
# the clips selected every epoch, with per-sample distillation strength
# (docs/method.md#selection-rounds). Not a row of the paper's Table III.
_base_ = ['./fkd_swin_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
