# TPN-f32s2 R101 teacher on UCF101 (Table III row "Teac.", TPN). Fine-tuned on
# UCF101 split 1 from the Kinetics-400 TPN-f32s2 R101 of
# configs/teachers/tpn_r101_kinetics400_teacher.py (MMAction2 releases no TPN
# on R101); override with `--cfg-options load_from=PATH`. The distillation
# configs read its best checkpoint from
# checkpoints/tpn_r101_ucf101_teacher.pth.
_base_ = [
    '../_base_/models/tpn_r101_teacher.py', '../_base_/datasets/ucf101_32f.py',
    '../_base_/schedules/sgd_50e.py', '../_base_/default_runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(
    neck=dict(aux_head_cfg=dict(out_channels=num_classes)),
    cls_head=dict(num_classes=num_classes),
)

# Table II batch sizes (student training 4) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=1)
val_dataloader = dict(batch_size=6)
auto_scale_lr = dict(base_batch_size=4)

load_from = 'checkpoints/tpn_r101_kinetics400_teacher.pth'
