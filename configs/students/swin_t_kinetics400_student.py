# Video Swin-T trained alone on Kinetics-400 (Table IV row "Stud.", VideoST):
# the student of configs/<method>/*_swin_kinetics400.py with the same data,
# schedule and initialisation, without a teacher.
_base_ = [
    '../_base_/models/swin_t_student.py',
    '../_base_/datasets/kinetics400_16f.py', '../_base_/schedules/sgd_200e.py',
    '../_base_/default_runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(
    cls_head=dict(num_classes=num_classes),
    # Paper Sec. IV-B: on Kinetics-400 Video Swin starts from ImageNet
    # (MMAction2's Swin-T weights, inflated), as MMAction2's recipe does.
    backbone=dict(
        pretrained2d=True,
        pretrained=  # noqa: E251
        'https://download.openmmlab.com/mmaction/v1.0/recognition/swin/swin_tiny_patch4_window7_224.pth'  # noqa: E501
    ),
)

# Table II batch sizes (student training 8) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=2)
val_dataloader = dict(batch_size=12)
auto_scale_lr = dict(base_batch_size=8)
