# SAKD with CrossKD (Wang et al., CVPR 2024, adapted to recognition) as the
# per-sample distillation loss: ./sakd_slowfast_tiny_synthetic.py with the
# loss of ./crosskd_slowfast_tiny_synthetic.py.
_base_ = ['./sakd_slowfast_tiny_synthetic.py']

model = dict(
    kd_loss=dict(
        _delete_=True,
        type='CrossKDLoss',
        # (slow, fast) backbone output channels of the tiny student and
        # teacher (configs/_base_/models/slowfast_tiny_*.py).
        student_channels=(64, 16),
        teacher_channels=(128, 64),
        tau=4.0))
