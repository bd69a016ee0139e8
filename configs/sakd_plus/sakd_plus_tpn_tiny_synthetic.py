# SAKD+ (mmsakd's preset, not the paper's; ./README.md) for the tiny tpn
# pair: ../synthetic/sakd_tpn_tiny_synthetic.py with the settings of
# ../_base_/distill/sakd_plus.py, the teacher's logits cached (the synthetic
# pipeline is deterministic) and the learning rate per epoch.
_base_ = [
    '../synthetic/sakd_tpn_tiny_synthetic.py', '../_base_/distill/sakd_plus.py'
]

model = dict(teacher_cache=True)
default_hooks = dict(sakd={{_base_.sakd_plus_hook}})
