# SlowFast R101 8x8 teacher on Kinetics-400 (Table IV row "Teac.", SlowFast).
# Taken as released by MMAction2 (the distillation configs load it by URL);
# this config evaluates it on the 16-frame clips the student sees:
#   python tools/test.py \
#       configs/teachers/slowfast_r101_kinetics400_teacher.py \
#       <the load_from URL below>
# Training it from scratch is not the paper's setting.
_base_ = [
    '../_base_/models/slowfast_r101_teacher.py',
    '../_base_/datasets/kinetics400_16f.py', '../_base_/schedules/sgd_200e.py',
    '../_base_/default_runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(cls_head=dict(num_classes=num_classes), )

# Table II batch sizes (student training 48) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=12)
val_dataloader = dict(batch_size=32)
auto_scale_lr = dict(base_batch_size=48)

load_from = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/slowfast/slowfast_r101_8xb8-8x8x1-256e_kinetics400-rgb/slowfast_r101_8xb8-8x8x1-256e_kinetics400-rgb_20220901-9c0e09bd.pth'  # noqa: E501
)
