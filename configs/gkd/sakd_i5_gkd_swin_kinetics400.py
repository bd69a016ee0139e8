# ./sakd_gkd_swin_kinetics400.py with a selection round every 5 epochs;
# between rounds the subset and the strengths are kept. Not a row of the
# paper's Table IV.
_base_ = ['./sakd_gkd_swin_kinetics400.py']

default_hooks = dict(sakd=dict(interval=5))
