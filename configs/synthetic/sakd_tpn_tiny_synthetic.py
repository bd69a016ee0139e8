# SAKD (r = 0.1, a selection round every epoch) for the tiny TPN pair:
# ./kd_tpn_tiny_synthetic.py trained on the clips selected each round.
_base_ = ['./kd_tpn_tiny_synthetic.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
