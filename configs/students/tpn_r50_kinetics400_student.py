# TPN-f8s8 R50 trained alone on Kinetics-400 (not in the paper): the student
# of configs/<method>/*_tpn_kinetics400.py with the same data, schedule and
# initialisation, without a teacher.
_base_ = [
    '../_base_/models/tpn_r50_student.py',
    '../_base_/datasets/kinetics400_16f.py', '../_base_/schedules/sgd_200e.py',
    '../_base_/default_runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(
    # f8s8: one in 2 frames of the 16 frames at stride 4. ImageNet
    # ResNet-50 weights (inflated), as MMAction2's ImageNet-pretrained
    # TPN-f8s8 recipe: the URL that its `torchvision://resnet50`
    # resolves to, spelled out: torchvision is no dependency.
    backbone=dict(
        conv1_stride_t=2,
        pretrained=  # noqa: E251
        'https://download.pytorch.org/models/resnet50-0676ba61.pth'),
    neck=dict(aux_head_cfg=dict(out_channels=num_classes)),
    cls_head=dict(num_classes=num_classes),
)

# Table II has no TPN on Kinetics-400: its UCF101 batch sizes.
# Table II batch sizes (student training 4) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=1)
val_dataloader = dict(batch_size=6)
auto_scale_lr = dict(base_batch_size=4)
