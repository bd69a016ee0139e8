# Distillation skeleton of TPN-f32s2 R101 -> TPN-f8s8 R50 on UCF101: model
# pair, data, schedule, runtime and SAKD settings (paper Sec. IV-B, Table
# II). Not runnable alone: each configs/<method>/*_tpn_ucf101.py picks its
# model.kd_loss from kd_methods.
_base_ = [
    './sakd.py', './tpn_kd_methods.py', '../datasets/ucf101_32f.py',
    '../schedules/sgd_50e.py', './runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(
    student=dict(
        cfg_path='{{ fileDirname }}/../models/tpn_r50_student.py',
        # f8s8: one in 4 frames of the 32 frames at stride 2.
        backbone=dict(conv1_stride_t=4),
        neck=dict(aux_head_cfg=dict(out_channels=num_classes)),
        cls_head=dict(num_classes=num_classes),
    ),
    teacher=dict(
        cfg_path='{{ fileDirname }}/../models/tpn_r101_teacher.py',
        neck=dict(aux_head_cfg=dict(out_channels=num_classes)),
        cls_head=dict(num_classes=num_classes),
    ),
    # From configs/teachers/tpn_r101_ucf101_teacher.py: its best
    # checkpoint copied here (docs/paper_experiments.md).
    teacher_ckpt='checkpoints/tpn_r101_ucf101_teacher.pth',
    # Paper Sec. IV-B: UCF101 models start from Kinetics-400. The student
    # loads MMAction2's TPN-f8s8 R50 Kinetics-400 release (the one trained
    # from ImageNet), as students/tpn_r50_ucf101_student.py does; its
    # 400-class head and auxiliary head are skipped (shape mismatch,
    # logged).
    student_ckpt=  # noqa: E251
    'https://download.openmmlab.com/mmaction/v1.0/recognition/tpn/tpn-slowonly_imagenet-pretrained-r50_8xb8-8x8x1-150e_kinetics400-rgb/tpn-slowonly_imagenet-pretrained-r50_8xb8-8x8x1-150e_kinetics400-rgb_20220913-fed3f4c1.pth',  # noqa: E501
)

# Table II batch sizes (student training 4, scoring 24) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=1)
val_dataloader = dict(batch_size=6)
auto_scale_lr = dict(base_batch_size=4)

# Per-GPU scoring batch of the SAKD hook (./sakd.py).
sakd_hook = dict(scorer=dict(batch_size=6))
