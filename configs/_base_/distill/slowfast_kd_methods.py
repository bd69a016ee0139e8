# The KD losses (./kd_methods.py) for SlowFast R101 -> R50: the feature
# losses map the (slow, fast) backbone outputs, 2048 and 256 channels in
# both models (the student's slow pathway has 4 frames where the teacher's
# has 8; the losses resize to the teacher's shape).
_base_ = ['./kd_methods.py']
kd_channels = dict(student_channels=(2048, 256), teacher_channels=(2048, 256))
kd_methods = dict(
    crosskd=kd_channels, fkd=kd_channels, dualkd=kd_channels, gkd=kd_channels)
