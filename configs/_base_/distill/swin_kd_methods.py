# The KD losses (./kd_methods.py) for Video Swin-S -> Swin-T: the feature
# losses map the backbone outputs, 768 channels in both models.
_base_ = ['./kd_methods.py']
kd_channels = dict(student_channels=768, teacher_channels=768)
kd_methods = dict(
    crosskd=kd_channels, fkd=kd_channels, dualkd=kd_channels, gkd=kd_channels)
