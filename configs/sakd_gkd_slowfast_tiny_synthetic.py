# SAKD with GKD (Wang et al., AAAI 2024; our one-stage interpretation, see
# GKDLoss) for the tiny SlowFast pair: configs/sakd_slowfast_tiny_synthetic.py
# with GKDLoss in place of the logit KD.
_base_ = ['./sakd_slowfast_tiny_synthetic.py']

model = dict(
    kd_loss=dict(
        _delete_=True,
        type='GKDLoss',
        student_channels=(64, 16),
        teacher_channels=(128, 64),
        latent_channels=16,
        hidden_channels=64,
        att_weight=1.0,
        rec_weight=1.0,
        kl_weight=0.1))
