# SAKD+ (mmsakd's preset, not the paper's; ./README.md) for the paper's swin
# pair on ucf101: ../kd/sakd_swin_ucf101.py with the settings of
# ../_base_/distill/sakd_plus.py for 100 epochs and the learning rate per
# optimizer step. No teacher cache: the pipeline crops and flips at random.
_base_ = ['../kd/sakd_swin_ucf101.py', '../_base_/distill/sakd_plus.py']

max_epochs = {{_base_.max_epochs}}
default_hooks = dict(sakd={{_base_.sakd_plus_hook_100e}})
# Sized by SAKDHook from its planned steps
# (docs/method.md#learning-rate-per-step).
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        eta_min=0,
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True)
]
