# Vanilla DKD (Zhao et al., CVPR 2022; SAKD_METHOD.md section 9): the vanilla
# KD run (./kd_slowfast_tiny_synthetic.py) with DKD as the distillation loss,
# at the paper's alpha=1, beta=8, tau=4. The 20-epoch warm-up shrinks to
# max_epochs/12 on shorter runs (see DKDLoss).
_base_ = ['./kd_slowfast_tiny_synthetic.py']

model = dict(
    kd_loss=dict(
        _delete_=True,
        type='DKDLoss',
        alpha=1.0,
        beta=8.0,
        tau=4.0,
        warmup_epochs=20))
