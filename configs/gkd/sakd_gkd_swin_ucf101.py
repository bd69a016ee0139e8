# SAKD with GKD (the paper's "CKD [8]") on Video Swin-S -> Swin-T, UCF101:
# ./gkd_swin_ucf101.py trained on the 10% of the clips selected every epoch,
# with per-sample distillation strength (docs/method.md#selection-rounds).
# Paper: Table III, "CKD [8]" rows, VideoST, "Ours".
_base_ = ['./gkd_swin_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(sakd={{_base_.sakd_hook}})
