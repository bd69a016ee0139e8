# SAKD with a selection round every 5 epochs (the paper's "Ours*"); between
# rounds the subset and the strengths are kept.
_base_ = ['./sakd_slowfast_tiny_synthetic.py']

custom_hooks = [
    dict(type='RandomStateHook'),
    dict(
        type='SAKDHook',
        ratio=0.1,
        interval=5,
        lam=0.5,
        eta=0.5,
        gamma=0.5,
        score_batch_size=64)
]
