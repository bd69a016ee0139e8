# Shared base of the SlowFast R101 8x8 -> SlowFast R50 4x16 distillation
# configs on Kinetics-400: model pair, data, schedule, runtime and SAKD
# settings (paper Sec. IV-B, Table II). Not a runnable config: each
# configs/*_slowfast_kinetics400.py sets model.kd_loss from kd_methods.
_base_ = [
    './slowfast_kd_methods.py', '../datasets/kinetics400_16f.py',
    '../schedules/sgd_200e.py', '../default_runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(
    type='SAKDDistiller',
    student=dict(
        cfg_path='configs/_base_/models/slowfast_r50_student.py',
        cls_head=dict(num_classes=num_classes),
        # Random initialisation, as MMAction2's SlowFast Kinetics-400 recipes
        # (`pretrained=None`; no ImageNet weights).
    ),
    teacher=dict(
        cfg_path='configs/_base_/models/slowfast_r101_teacher.py',
        cls_head=dict(num_classes=num_classes),
    ),
    # MMAction2's Kinetics-400 release, taken as is (paper Table IV).
    teacher_ckpt=  # noqa: E251
    'https://download.openmmlab.com/mmaction/v1.0/recognition/slowfast/slowfast_r101_8xb8-8x8x1-256e_kinetics400-rgb/slowfast_r101_8xb8-8x8x1-256e_kinetics400-rgb_20220901-9c0e09bd.pth',  # noqa: E501
    # Vanilla KD: (1 - alpha) * CE + alpha * KD for every sample (spec
    # section 9); SAKDHook replaces alpha per sample (spec Eq. 6).
    alpha=0.5)

# Table II batch sizes (student training 48, scoring 128) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=12)
val_dataloader = dict(batch_size=32)
auto_scale_lr = dict(base_batch_size=48)

# SAKD (spec; paper Sec. IV-B): r = 0.1, lam = 0.5, eta = 0.5; a selection
# round every epoch ("Ours") or every 5 epochs ("Ours*"). Per-GPU scoring
# batch.
sakd_hook = dict(
    type='SAKDHook',
    ratio=0.1,
    interval=1,
    lam=0.5,
    eta=0.5,
    gamma=0.5,
    score_batch_size=32)
sakd_i5_hook = dict(sakd_hook, interval=5)
