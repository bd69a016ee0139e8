# SAKD+ (mmsakd's preset, not the paper's; ./README.md) for the paper's tpn
# pair on kinetics400: ../kd/sakd_tpn_kinetics400.py with the settings of
# ../_base_/distill/sakd_plus.py for 200 epochs. No teacher cache: the
# pipeline crops and flips at random.
_base_ = ['../kd/sakd_tpn_kinetics400.py', '../_base_/distill/sakd_plus.py']

default_hooks = dict(sakd={{_base_.sakd_plus_hook_200e}})
