# SAKD with CrossKD as the per-sample distillation loss:
# ./crosskd_slowfast_tiny_synthetic.py trained on the 10% of the clips selected
# every epoch (docs/method.md#selection-rounds).
_base_ = ['./crosskd_slowfast_tiny_synthetic.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
