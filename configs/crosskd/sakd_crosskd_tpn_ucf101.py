# SAKD with CrossKD on TPN-f32s2 R101 -> TPN-f8s8 R50, UCF101:
# ./crosskd_tpn_ucf101.py trained on the 10% of the clips selected every
# epoch, with per-sample distillation strength
# (docs/method.md#selection-rounds). Paper: Table III, CrossKD rows, TPN,
# "Ours".
_base_ = ['./crosskd_tpn_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
