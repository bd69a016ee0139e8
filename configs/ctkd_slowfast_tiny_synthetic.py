# Vanilla CTKD (Li et al., AAAI 2023; SAKD_METHOD.md section 9): the vanilla
# KD run (./kd_slowfast_tiny_synthetic.py) with a learnable temperature in
# [1, 21], trained adversarially with a gradient-reversal strength rising
# from 0 to 1 over the first 10 epochs (cosine curriculum).
_base_ = ['./kd_slowfast_tiny_synthetic.py']

model = dict(
    kd_loss=dict(
        _delete_=True,
        type='CTKDLoss',
        tau_min=1.0,
        tau_range=20.0,
        curriculum_epochs=10,
        lambda_max=1.0,
        lambda_min=0.0))
