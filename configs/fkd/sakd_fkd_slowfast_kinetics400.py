# SAKD with feature KD (FitNets, Eq. 1, docs/method.md#training-loss) on
# SlowFast R101 8x8 -> SlowFast R50 4x16, Kinetics-400:
# ./fkd_slowfast_kinetics400.py trained on the 10% of the clips selected
# every epoch, with per-sample distillation strength
# (docs/method.md#selection-rounds). Not a row of the paper's Table IV.
_base_ = ['./fkd_slowfast_kinetics400.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
