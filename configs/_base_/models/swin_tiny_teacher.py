# Tiny Video Swin teacher for 16x32x32 clips (MMAction2's
# SwinTransformer3D): 32-dim embeddings, depths (2, 2, 2, 2).
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='SwinTransformer3D',
        arch=dict(embed_dims=32, depths=[2, 2, 2, 2], num_heads=[2, 4, 8, 16]),
        pretrained=None,
        pretrained2d=False,
        patch_size=(2, 4, 4),
        window_size=(4, 4, 4),
        mlp_ratio=2.,
        qkv_bias=True,
        qk_scale=None,
        drop_rate=0.,
        attn_drop_rate=0.,
        drop_path_rate=0.1,
        patch_norm=True),
    cls_head=dict(
        type='I3DHead',
        in_channels=256,
        num_classes=10,
        spatial_type='avg',
        dropout_ratio=0.5,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
