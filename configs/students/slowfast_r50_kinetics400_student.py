# SlowFast R50 4x16 trained alone on Kinetics-400 (Table IV row "Stud.",
# SlowFast): the student of configs/<method>/*_slowfast_kinetics400.py with
# the same data, schedule and initialisation, without a teacher.
_base_ = [
    '../_base_/models/slowfast_r50_student.py',
    '../_base_/datasets/kinetics400_16f.py', '../_base_/schedules/sgd_200e.py',
    '../_base_/default_runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(
    cls_head=dict(num_classes=num_classes),
    # Random initialisation, as MMAction2's SlowFast Kinetics-400 recipes
    # (`pretrained=None`; no ImageNet weights).
)

# Table II batch sizes (student training 48) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=12)
val_dataloader = dict(batch_size=32)
auto_scale_lr = dict(base_batch_size=48)
