# Tiny TPN student: the teacher's layout (tpn_tiny_teacher.py) on a
# ResNet3dSlowOnly with base_channels=8 instead of 16.
_base_ = ['./tpn_tiny_teacher.py']
model = dict(
    backbone=dict(base_channels=8),
    neck=dict(
        in_channels=(32, 64),
        out_channels=64,
        spatial_modulation_cfg=dict(in_channels=(32, 64), out_channels=64),
        level_fusion_cfg=dict(
            in_channels=(64, 64), mid_channels=(64, 64), out_channels=128)))
