# Vanilla KD of the tiny SlowFast pair
# (../synthetic/kd_slowfast_tiny_synthetic.py) with multigrid training
# (docs/method.md#multigrid-kd): the long cycle changes the clip's frames and
# size each epoch, the short cycle the size of some clips within an epoch,
# and the batch grows as the clip shrinks (MultigridSchedule's defaults are
# the cycles of Wu et al., CVPR 2020); the last two epochs train at the base
# shape. Teacher and student see the same clip.
_base_ = ['../synthetic/kd_slowfast_tiny_synthetic.py']

# The base shape: 16 frames of 32x32. MultigridClips sets the frame sampler
# and this fixed-size Resize of each clip.
train_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys={{_base_.meta_keys}})
]
train_dataloader = dict(
    # Batches of one clip shape, sized for it.
    batch_sampler=dict(type='MultigridBatchSampler'),
    sampler=dict(type='SubsetSampler', shuffle=True),
    dataset=dict(
        _delete_=True,
        type='MultigridClips',
        schedule=dict(type='MultigridSchedule', until_epoch=8),
        dataset=dict(
            type='VideoDataset',
            ann_file='data/synthetic/train.txt',
            data_prefix=dict(video='data/synthetic/videos'),
            pipeline=train_pipeline)))
# AdamW (the tiny schedule): the square-root rule for Adam-type optimizers.
custom_hooks = [dict(type='MultigridHook', lr_scaling='sqrt')]
