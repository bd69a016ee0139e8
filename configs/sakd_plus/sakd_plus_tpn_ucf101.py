# SAKD+ (mmsakd's preset, not the paper's; ./README.md) for the paper's
# tpn pair on ucf101: ../kd/sakd_tpn_ucf101.py with the settings of
# ../_base_/distill/sakd_plus.py (a test checks they match), warm-up and
# annealing scaled to 3 epochs each, and the learning rate per optimizer
# step. No teacher cache: the training pipeline crops and flips at random.
_base_ = ['../kd/sakd_tpn_ucf101.py']

max_epochs = {{_base_.max_epochs}}
default_hooks = dict(
    sakd=dict(
        ratio=0.3,
        warmup_epochs=3,
        anneal_epochs=3,
        alpha_min=0.5,
        criterion='keep_high',
        pool_factor=0.5,
        reuse_train_losses=True))
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
