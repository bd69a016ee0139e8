# Vanilla feature KD (spec Eq. 1, FitNets) for the tiny SlowFast pair:
# configs/kd_slowfast_tiny_synthetic.py with FeatureKDLoss in place of the
# logit KD. Channels (slow, fast): student (64, 16), teacher (128, 64).
_base_ = ['./kd_slowfast_tiny_synthetic.py']

model = dict(
    kd_loss=dict(
        _delete_=True,
        type='FeatureKDLoss',
        student_channels=(64, 16),
        teacher_channels=(128, 64)))
