# Vanilla DualKD (Wang et al., TIP 2024; our interpretation, see
# DualKDLoss) for the tiny SlowFast pair: configs/kd_slowfast_tiny_synthetic.py
# with DualKDLoss in place of the logit KD.
_base_ = ['./kd_slowfast_tiny_synthetic.py']

model = dict(
    kd_loss=dict(
        _delete_=True,
        type='DualKDLoss',
        student_channels=(64, 16),
        teacher_channels=(128, 64),
        ot_weight=1.0,
        self_weight=1.0,
        tau=4.0,
        eps=0.1,
        num_iters=50,
        momentum=0.999))
