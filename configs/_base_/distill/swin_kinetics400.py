# Distillation skeleton of Video Swin-S -> Swin-T on Kinetics-400: model
# pair, data, schedule, runtime and SAKD settings (paper Sec. IV-B, Table
# II). Not runnable alone: each configs/<method>/*_swin_kinetics400.py picks
# its model.kd_loss from kd_methods.
_base_ = [
    './sakd.py', './swin_kd_methods.py', '../datasets/kinetics400_16f.py',
    '../schedules/sgd_200e.py', './runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(
    student=dict(
        cfg_path='{{ fileDirname }}/../models/swin_t_student.py',
        cls_head=dict(num_classes=num_classes),
        # Paper Sec. IV-B: on Kinetics-400 Video Swin starts from ImageNet
        # (MMAction2's Swin-T weights, inflated), as MMAction2's recipe does.
        backbone=dict(
            pretrained2d=True,
            pretrained=  # noqa: E251
            'https://download.openmmlab.com/mmaction/v1.0/recognition/swin/swin_tiny_patch4_window7_224.pth'  # noqa: E501
        ),
    ),
    teacher=dict(
        cfg_path='{{ fileDirname }}/../models/swin_s_teacher.py',
        cls_head=dict(num_classes=num_classes),
    ),
    # MMAction2's Kinetics-400 release, taken as is (paper Table IV).
    teacher_ckpt=  # noqa: E251
    'https://download.openmmlab.com/mmaction/v1.0/recognition/swin/swin-small-p244-w877_in1k-pre_8xb8-amp-32x2x1-30e_kinetics400-rgb/swin-small-p244-w877_in1k-pre_8xb8-amp-32x2x1-30e_kinetics400-rgb_20220930-e91ab986.pth',  # noqa: E501
)

# Table II batch sizes (student training 8, scoring 48) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=2)
val_dataloader = dict(batch_size=12)
auto_scale_lr = dict(base_batch_size=8)

# Per-GPU scoring batch of the SAKD hook (./sakd.py).
sakd_hook = dict(scorer=dict(batch_size=12))
