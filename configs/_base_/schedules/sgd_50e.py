# Paper schedule (Sec. IV-B): SGD, momentum 0.9, initial lr 1e-2, weight
# decay 1e-4, 50 epochs (UCF101). The paper does not state the decay of the
# lr; cosine annealing by epoch is used, so that the decay follows the
# epochs however few clips a SAKD epoch trains (the InfoBatch-style and
# random-subset hooks accept by-epoch schedulers only).
max_epochs = 50
train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_begin=1,
    val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=1e-2, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        eta_min=0,
        by_epoch=True,
        begin=0,
        end=max_epochs)
]
# The lr is that of the paper's total batch (Table II); the model bases set
# base_batch_size to it. `--auto-scale-lr` rescales for another total.
auto_scale_lr = dict(enable=False, base_batch_size=32)
