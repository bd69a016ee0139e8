# TPN-f32s2 R101 teacher on Kinetics-400 (teacher of the TPN Kinetics-400
# configs, not in the paper). MMAction2 releases no TPN on R101, so it is
# trained here, from ImageNet ResNet-101 weights like MMAction2's
# ImageNet-pretrained TPN-f8s8 R50; the distillation configs read its best
# checkpoint from checkpoints/tpn_r101_kinetics400_teacher.pth.
_base_ = [
    '../_base_/models/tpn_r101_teacher.py',
    '../_base_/datasets/kinetics400_16f.py', '../_base_/schedules/sgd_200e.py',
    '../_base_/default_runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(
    # ImageNet ResNet-101 (inflated): the URL of `torchvision://resnet101`,
    # spelled out: torchvision is no dependency.
    backbone=dict(
        pretrained=  # noqa: E251
        'https://download.pytorch.org/models/resnet101-63fe2227.pth'),
    neck=dict(aux_head_cfg=dict(out_channels=num_classes)),
    cls_head=dict(num_classes=num_classes),
)

# Table II has no TPN on Kinetics-400: its UCF101 batch sizes.
# Table II batch sizes (student training 4) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=1)
val_dataloader = dict(batch_size=6)
auto_scale_lr = dict(base_batch_size=4)
