# Single-frame baseline: a 2D ResNet-18 sees one random frame per clip in
# training and the middle frame in validation. On the synthetic dataset it
# should stay near chance (10%), since the classes differ only in motion.
_base_ = [
    '../_base_/models/frame2d_tiny.py',
    '../_base_/datasets/synthetic_action.py',
    '../_base_/schedules/adamw_tiny.py', '../_base_/default_runtime.py'
]
meta_keys = ('img_shape', 'img_key', 'video_id', 'timestamp', 'sample_idx')
single_frame_train_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
single_frame_val_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=1,
        frame_interval=1,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
train_dataloader = dict(dataset=dict(pipeline=single_frame_train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=single_frame_val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=single_frame_val_pipeline))
