# SAKD+ (mmsakd's preset, not the paper's; ./README.md) for the tiny tpn
# pair: ../synthetic/sakd_tpn_tiny_synthetic.py with the settings of
# ../_base_/distill/sakd_plus.py, the teacher's logits cached (the synthetic
# pipeline is deterministic) and the learning rate per optimizer step.
_base_ = [
    '../synthetic/sakd_tpn_tiny_synthetic.py', '../_base_/distill/sakd_plus.py'
]

max_epochs = {{_base_.max_epochs}}
model = dict(teacher_cache=True)
default_hooks = dict(sakd={{_base_.sakd_plus_hook}})
# Sized by SAKDHook from its planned steps
# (docs/method.md#learning-rate-per-step).
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        eta_min=1e-5,
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True)
]
