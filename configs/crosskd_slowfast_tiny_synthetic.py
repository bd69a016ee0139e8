# Vanilla CrossKD (Wang et al., CVPR 2024, adapted to recognition;
# SAKD_METHOD.md section 9): the vanilla KD run
# (./kd_slowfast_tiny_synthetic.py) where the student's backbone features,
# mapped by trainable 1x1x1 convolutions to the teacher's widths, go through
# the teacher's frozen SlowFast head, distilled towards the teacher's logits.
_base_ = ['./kd_slowfast_tiny_synthetic.py']

model = dict(
    kd_loss=dict(
        _delete_=True,
        type='CrossKDLoss',
        # (slow, fast) backbone output channels of the tiny student and
        # teacher (configs/_base_/models/slowfast_tiny_*.py).
        student_channels=(64, 16),
        teacher_channels=(128, 64),
        tau=4.0))
