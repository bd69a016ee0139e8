# TPN-f32s2 R101 (the paper's teacher). MMAction2 has TPN only on R50 (and
# TSM); this is its TPN-f8s8 R50 (./tpn_r50_student.py) with a depth-101
# ResNet3dSlowOnly, fed every frame of the clip (32 frames at stride 2),
# and temporal modulation pooling 32 frames into one, as the f8s8 model
# pools its 8. Stage widths (1024, 2048) and the 2048-channel output are
# those of R50, so the neck and head are unchanged.
_base_ = ['./tpn_r50_student.py']
model = dict(
    backbone=dict(depth=101),
    neck=dict(temporal_modulation_cfg=dict(downsample_scales=(32, 32))))
