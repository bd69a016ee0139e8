# SAKD with DualKD on SlowFast R101 8x8 -> SlowFast R50 4x16, Kinetics-400:
# ./dualkd_slowfast_kinetics400.py trained on the 10% of the clips selected
# every epoch, with per-sample distillation strength
# (docs/method.md#selection-rounds). Paper: Table IV, DualKD rows, SlowFast,
# "Ours".
_base_ = ['./dualkd_slowfast_kinetics400.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
