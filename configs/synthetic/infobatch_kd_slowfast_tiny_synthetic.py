# InfoBatch (Qin et al., ICLR 2024) on top of vanilla KD
# (./kd_slowfast_tiny_synthetic.py), a baseline of the benchmark
# (docs/method.md#baselines-for-the-benchmark): each epoch, skip a random
# half of the clips whose last training loss is below the mean and up-weight
# the kept ones by 2; every clip, weight 1, for the last 1 - delta of the
# epochs.
_base_ = ['./kd_slowfast_tiny_synthetic.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(
    infobatch=dict(type='InfoBatchHook', prune_ratio=0.5, delta=0.875))
