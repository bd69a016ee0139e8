# Distillation skeleton of SlowFast R101 8x8 -> SlowFast R50 4x16 on
# Kinetics-400: model pair, data, schedule, runtime and SAKD settings (paper
# Sec. IV-B, Table II). Not runnable alone: each
# configs/<method>/*_slowfast_kinetics400.py picks its model.kd_loss from
# kd_methods.
_base_ = [
    './sakd.py', './slowfast_kd_methods.py', '../datasets/kinetics400_16f.py',
    '../schedules/sgd_200e.py', './runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(
    student=dict(
        cfg_path='{{ fileDirname }}/../models/slowfast_r50_student.py',
        cls_head=dict(num_classes=num_classes),
        # Random initialisation, as MMAction2's SlowFast Kinetics-400 recipes
        # (`pretrained=None`; no ImageNet weights).
    ),
    teacher=dict(
        cfg_path='{{ fileDirname }}/../models/slowfast_r101_teacher.py',
        cls_head=dict(num_classes=num_classes),
    ),
    # MMAction2's Kinetics-400 release, taken as is (paper Table IV).
    teacher_ckpt=  # noqa: E251
    'https://download.openmmlab.com/mmaction/v1.0/recognition/slowfast/slowfast_r101_8xb8-8x8x1-256e_kinetics400-rgb/slowfast_r101_8xb8-8x8x1-256e_kinetics400-rgb_20220901-9c0e09bd.pth',  # noqa: E501
)

# Table II batch sizes (student training 48, scoring 128) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=12)
val_dataloader = dict(batch_size=32)
auto_scale_lr = dict(base_batch_size=48)

# Per-GPU scoring batch of the SAKD hook (./sakd.py).
sakd_hook = dict(scorer=dict(batch_size=32))
