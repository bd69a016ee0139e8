# Random-subset KD (Ben-Baruch et al., ICML 2025) on TPN-f32s2 R101 -> TPN-f8s8
# R50, UCF101: ./kd_tpn_ucf101.py on a uniformly random 10% of the clips,
# redrawn every epoch, with the fixed alpha = 0.5 and nothing scored. The
# subset has the size of SAKD's (./sakd_tpn_ucf101.py), so this control tells
# SAKD's selection apart from training on fewer clips
# (docs/method.md#random-subsets). A control of the benchmark, not in the
# paper.
_base_ = ['./kd_tpn_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(
    random_subset=dict(type='RandomSubsetHook', ratio=0.1, interval=1))
