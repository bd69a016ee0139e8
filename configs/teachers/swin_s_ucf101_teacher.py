# Video Swin-S teacher on UCF101 (Table III row "Teac.", VideoST). Fine-tuned
# on UCF101 split 1 from MMAction2's Kinetics-400 release (paper Sec. IV-B);
# override with `--cfg-options load_from=PATH`. The distillation configs read
# its best checkpoint from checkpoints/swin_s_ucf101_teacher.pth.
_base_ = [
    '../_base_/models/swin_s_teacher.py', '../_base_/datasets/ucf101_32f.py',
    '../_base_/schedules/sgd_100e.py', '../_base_/default_runtime.py'
]

num_classes = {{_base_.num_classes}}
model = dict(cls_head=dict(num_classes=num_classes), )

# Table II batch sizes (student training 4) are totals,
# per GPU here for 4 GPUs (`bash tools/dist_train.sh CONFIG 4`).
train_dataloader = dict(batch_size=1)
val_dataloader = dict(batch_size=6)
auto_scale_lr = dict(base_batch_size=4)

load_from = (  # 400-class head: not loaded (size mismatch)
    'https://download.openmmlab.com/mmaction/v1.0/recognition/swin/swin-small-p244-w877_in1k-pre_8xb8-amp-32x2x1-30e_kinetics400-rgb/swin-small-p244-w877_in1k-pre_8xb8-amp-32x2x1-30e_kinetics400-rgb_20220930-e91ab986.pth'  # noqa: E501
)
