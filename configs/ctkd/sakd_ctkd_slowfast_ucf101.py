# SAKD with CTKD on SlowFast R101 8x8 -> SlowFast R50 4x16, UCF101:
# ./ctkd_slowfast_ucf101.py trained on the 10% of the clips selected every
# epoch, with per-sample distillation strength
# (docs/method.md#selection-rounds). Paper: Table III, CTKD rows, SlowFast,
# "Ours".
_base_ = ['./ctkd_slowfast_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
