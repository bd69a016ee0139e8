# SlowFast R101 8x8 teacher on UCF101 (Table III row "Teac.", SlowFast).
# Fine-tuned on UCF101 split 1 from MMAction2's Kinetics-400 release (paper
# Sec. IV-B); override with `--cfg-options load_from=PATH`. The distillation
# configs read its best checkpoint from
# checkpoints/slowfast_r101_ucf101_teacher.pth.
_base_ = [
    '../_base_/models/slowfast_r101_teacher.py',
    '../_base_/datasets/ucf101_32f.py', '../_base_/schedules/sgd_50e.py',
    '../_base_/default_runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(cls_head=dict(num_classes=num_classes), )

# Table II batch sizes (student training 32) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=8)
val_dataloader = dict(batch_size=24)
auto_scale_lr = dict(base_batch_size=32)

load_from = (  # 400-class head: not loaded (size mismatch)
    'https://download.openmmlab.com/mmaction/v1.0/recognition/slowfast/slowfast_r101_8xb8-8x8x1-256e_kinetics400-rgb/slowfast_r101_8xb8-8x8x1-256e_kinetics400-rgb_20220901-9c0e09bd.pth'  # noqa: E501
)
