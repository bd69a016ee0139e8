# SAKD on top of vanilla KD (./kd_slowfast_tiny_synthetic.py): every epoch,
# score all clips, update the per-sample distillation strength and train on
# the 10% of the clips chosen by greedy DPP
# (docs/method.md#selection-rounds).
_base_ = ['./kd_slowfast_tiny_synthetic.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
