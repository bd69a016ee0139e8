# SAKD (./sakd_slowfast_tiny_synthetic.py) on training clips interrupted on
# the data side: DropoutShuffle in the training pipeline drops frames, and
# from beta(n) >= eta on shuffles frames within each clip, at the epoch's
# rate beta(n) (Eq. 4), which DropoutShuffleHook sets before each epoch in
# every dataloader worker, persistent ones included
# (docs/method.md#dropout-shuffle-interruption). The scoring pass keeps the
# validation pipeline. The rate applied reaches each data sample's metainfo
# as `interruption_rate`.
_base_ = ['./sakd_slowfast_tiny_synthetic.py']

train_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len={{_base_.clip_len}},
        frame_interval=1,
        num_clips=1),
    dict(type='DecordDecode'),
    # After the spatial transforms (none here), before FormatShape; fills
    # dropped frames with the data preprocessor's mean (its default).
    dict(type='DropoutShuffle'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(
        type='PackActionInputs',
        meta_keys=('img_shape', 'img_key', 'video_id', 'timestamp',
                   'sample_idx', 'interruption_rate'))
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
default_hooks = dict(dropout_shuffle=dict(type='DropoutShuffleHook'))
