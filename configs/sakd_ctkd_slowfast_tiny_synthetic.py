# SAKD with CTKD (Li et al., AAAI 2023) as the per-sample distillation loss:
# ./sakd_slowfast_tiny_synthetic.py with the loss of
# ./ctkd_slowfast_tiny_synthetic.py.
_base_ = ['./sakd_slowfast_tiny_synthetic.py']

model = dict(
    kd_loss=dict(
        _delete_=True,
        type='CTKDLoss',
        tau_min=1.0,
        tau_range=20.0,
        curriculum_epochs=10,
        lambda_max=1.0,
        lambda_min=0.0))
