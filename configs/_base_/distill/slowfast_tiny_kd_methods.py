# The KD losses (./kd_methods.py) for the tiny SlowFast teacher -> student of
# the synthetic configs: the feature losses map the (slow, fast) backbone
# outputs, (128, 64) channels in the teacher and (64, 16) in the student
# (../models/slowfast_tiny_*.py).
_base_ = ['./kd_methods.py']
kd_channels = dict(student_channels=(64, 16), teacher_channels=(128, 64))
kd_methods = dict(
    crosskd=kd_channels, fkd=kd_channels, dualkd=kd_channels, gkd=kd_channels)
