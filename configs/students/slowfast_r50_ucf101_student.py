# SlowFast R50 4x16 trained alone on UCF101 (Table III row "Stud.",
# SlowFast): the student of configs/<method>/*_slowfast_ucf101.py with the
# same data, schedule and initialisation, without a teacher.
_base_ = [
    '../_base_/models/slowfast_r50_student.py',
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

# Paper Sec. IV-B: UCF101 models start from Kinetics-400 (MMAction2's
# release; its 400-class head is not loaded: size mismatch).
load_from = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/slowfast/slowfast_r50_8xb8-4x16x1-256e_kinetics400-rgb/slowfast_r50_8xb8-4x16x1-256e_kinetics400-rgb_20220901-701b0f6f.pth'  # noqa: E501
)
