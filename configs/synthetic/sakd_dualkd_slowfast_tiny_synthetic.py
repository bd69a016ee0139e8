# SAKD with DualKD as the per-sample distillation loss:
# ./dualkd_slowfast_tiny_synthetic.py trained on the 10% of the clips selected
# every epoch (docs/method.md#selection-rounds).
_base_ = ['./dualkd_slowfast_tiny_synthetic.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
