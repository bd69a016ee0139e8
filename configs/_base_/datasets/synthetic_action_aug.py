# The synthetic action dataset with training-time augmentation: clips of 24
# frames (`python tools/data/synthetic/generate.py --num-frames 24 --out
# data/synthetic_aug`) whose motion is timed for the 16 frames sampled from
# them, a random temporal offset and a mild random crop per draw, so that a
# clip differs from epoch to epoch as a real video's does. Validation and
# test see the centre 16 frames whole, which are drawn as the clips of
# ./synthetic_action.py with the same seed are (up to video compression).
# Loaders, classes and evaluators are that file's.
_base_ = ['./synthetic_action.py']

data_root = 'data/synthetic_aug'
ann_file_train = f'{data_root}/train.txt'
ann_file_val = f'{data_root}/val.txt'
ann_file_test = f'{data_root}/val.txt'
clip_len = 16
frame_size = 32
# `sample_idx` identifies a clip across epochs for per-sample state.
meta_keys = ('img_shape', 'img_key', 'video_id', 'timestamp', 'sample_idx')

# No flips: a horizontal flip turns move_right into move_left, rotate_cw
# into rotate_ccw and right_then_up into a turn of no class. Crop and resize
# keep every direction class (an aspect ratio up to 1.25 bends a direction
# by a few degrees, well inside the classes' 25 degree jitter).
train_pipeline = [
    dict(type='DecordInit'),
    # Not test_mode: a random offset among the 24 - 16 + 1 = 9 possible.
    dict(
        type='SampleFrames', clip_len=clip_len, frame_interval=1, num_clips=1),
    dict(type='DecordDecode'),
    dict(
        type='RandomResizedCrop',
        area_range=(0.64, 1.0),
        aspect_ratio_range=(0.8, 1.25)),
    dict(type='Resize', scale=(frame_size, frame_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
# Validation and test keep ./synthetic_action.py's deterministic pipeline:
# the centre clip_len frames, whole.

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_train,
        data_prefix=dict(video=f'{data_root}/videos'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_val, data_prefix=dict(video=f'{data_root}/videos')))
test_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_test, data_prefix=dict(video=f'{data_root}/videos')))
