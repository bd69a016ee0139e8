# SAKD with DKD (Zhao et al., CVPR 2022) as the per-sample distillation loss:
# ./sakd_slowfast_tiny_synthetic.py with the loss of
# ./dkd_slowfast_tiny_synthetic.py.
_base_ = ['./sakd_slowfast_tiny_synthetic.py']

model = dict(
    kd_loss=dict(
        _delete_=True,
        type='DKDLoss',
        alpha=1.0,
        beta=8.0,
        tau=4.0,
        warmup_epochs=20))
