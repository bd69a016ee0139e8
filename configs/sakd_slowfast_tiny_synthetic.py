# SAKD on top of vanilla KD (configs/kd_slowfast_tiny_synthetic.py): every
# epoch, score all clips, update the per-sample distillation strength and
# train on 10% of the clips chosen by greedy DPP.
_base_ = ['./kd_slowfast_tiny_synthetic.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
custom_hooks = [
    dict(type='RandomStateHook'),
    dict(
        type='SAKDHook',
        ratio=0.1,
        interval=1,
        lam=0.5,
        eta=0.5,
        gamma=0.5,
        score_batch_size=64)
]
