# TPN-f8s8 R50 trained alone on UCF101 (Table III row "Stud.", TPN): the
# student of configs/<method>/*_tpn_ucf101.py with the same data, schedule
# and initialisation, without a teacher.
_base_ = [
    '../_base_/models/tpn_r50_student.py', '../_base_/datasets/ucf101_32f.py',
    '../_base_/schedules/sgd_50e.py', '../_base_/default_runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(
    # f8s8: one in 4 frames of the 32 frames at stride 2.
    backbone=dict(conv1_stride_t=4),
    neck=dict(aux_head_cfg=dict(out_channels=num_classes)),
    cls_head=dict(num_classes=num_classes),
)

# Table II batch sizes (student training 4) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=1)
val_dataloader = dict(batch_size=6)
auto_scale_lr = dict(base_batch_size=4)

# Paper Sec. IV-B: UCF101 models start from Kinetics-400 (MMAction2's
# release; its 400-class head is not loaded: size mismatch).
load_from = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/tpn/tpn-slowonly_imagenet-pretrained-r50_8xb8-8x8x1-150e_kinetics400-rgb/tpn-slowonly_imagenet-pretrained-r50_8xb8-8x8x1-150e_kinetics400-rgb_20220913-fed3f4c1.pth'  # noqa: E501
)
