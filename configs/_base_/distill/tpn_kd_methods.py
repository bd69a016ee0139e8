# The KD losses (./kd_methods.py) for TPN-f32s2 R101 -> TPN-f8s8 R50: the
# feature losses map the TPN neck outputs, 2048 channels in both models.
_base_ = ['./kd_methods.py']
kd_channels = dict(student_channels=2048, teacher_channels=2048)
kd_methods = dict(
    crosskd=kd_channels, fkd=kd_channels, dualkd=kd_channels, gkd=kd_channels)
