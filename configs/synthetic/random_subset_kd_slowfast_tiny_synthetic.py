# Random-subset KD (Ben-Baruch et al., ICML 2025), the control of the
# benchmark (docs/method.md#baselines-for-the-benchmark): vanilla KD
# (./kd_slowfast_tiny_synthetic.py) on a uniformly random 10% of the clips,
# redrawn every epoch, no scoring and the fixed alpha = 0.5; the same subset
# size as SAKD (docs/method.md#selection).
_base_ = ['./kd_slowfast_tiny_synthetic.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(
    random_subset=dict(type='RandomSubsetHook', ratio=0.1, interval=1))
