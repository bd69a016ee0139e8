# The paper's SGD schedule (./sgd_50e.py) over 100 epochs: Video Swin on
# UCF101 (Table II).
_base_ = ['./sgd_50e.py']
max_epochs = 100
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        eta_min=0,
        by_epoch=True,
        begin=0,
        end=max_epochs)
]
