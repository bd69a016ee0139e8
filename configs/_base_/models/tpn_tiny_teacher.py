# Tiny TPN teacher for 16x32x32 clips: MMAction2's TPN neck on a depth-18
# ResNet3dSlowOnly with base_channels=16. The TPN neck's pyramid fusion
# always outputs 2048 channels.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3dSlowOnly',
        depth=18,
        pretrained=None,
        lateral=False,
        base_channels=16,
        out_indices=(2, 3),
        conv1_kernel=(1, 3, 3),
        conv1_stride_s=1,
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(0, 0, 1, 1),
        norm_eval=False),
    neck=dict(
        type='TPN',
        in_channels=(64, 128),
        out_channels=128,
        spatial_modulation_cfg=dict(in_channels=(64, 128), out_channels=128),
        temporal_modulation_cfg=dict(downsample_scales=(4, 4)),
        upsample_cfg=dict(scale_factor=(1, 1, 1)),
        downsample_cfg=dict(downsample_scale=(1, 1, 1)),
        level_fusion_cfg=dict(
            in_channels=(128, 128),
            mid_channels=(128, 128),
            out_channels=256,
            downsample_scales=((1, 1, 1), (1, 1, 1))),
        aux_head_cfg=dict(out_channels=10, loss_weight=0.5)),
    cls_head=dict(
        type='TPNHead',
        num_classes=10,
        in_channels=2048,
        spatial_type='avg',
        consensus=dict(type='AvgConsensus', dim=1),
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'),
    # No fully-convolutional testing: TPNHead builds its conv classifier once
    # from fc_cls at the first test and never updates it, so validation
    # during training would use stale weights.
    train_cfg=None,
    test_cfg=None)
