# SAKD with KD (Hinton et al.) on TPN-f32s2 R101 -> TPN-f8s8 R50,
# Kinetics-400: ./kd_tpn_kinetics400.py trained on the 10% of the clips
# selected every epoch, with per-sample distillation strength
# (docs/method.md#selection-rounds). Not in the paper (Table IV has no TPN).
_base_ = ['./kd_tpn_kinetics400.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
