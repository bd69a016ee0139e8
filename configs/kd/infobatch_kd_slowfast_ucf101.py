# InfoBatch (Qin et al., ICLR 2024) with KD (Hinton et al.) on SlowFast
# R101 8x8 -> SlowFast R50 4x16, UCF101: ./kd_slowfast_ucf101.py with a random
# half of the low-loss clips skipped each epoch and the kept ones up-weighted
# by 2, every clip in the last 1 - delta of the epochs
# (docs/method.md#baselines-for-the-benchmark). A peer baseline of the
# benchmark, not in the paper.
_base_ = ['./kd_slowfast_ucf101.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
default_hooks = dict(
    infobatch=dict(type='InfoBatchHook', prune_ratio=0.5, delta=0.875))
