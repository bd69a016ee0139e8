# SAKD+ (mmsakd's preset, not the paper's; ./README.md) for the paper's
# slowfast pair on ucf101: ../kd/sakd_slowfast_ucf101.py with the settings of
# ../_base_/distill/sakd_plus.py for 50 epochs. No teacher cache: the
# pipeline crops and flips at random.
_base_ = ['../kd/sakd_slowfast_ucf101.py', '../_base_/distill/sakd_plus.py']

default_hooks = dict(sakd={{_base_.sakd_plus_hook_50e}})
