# ./sakd_ctkd_slowfast_ucf101.py with a selection round every 5 epochs;
# between rounds the subset and the strengths are kept. Paper: Table III,
# CTKD rows, SlowFast, "Ours*".
_base_ = ['./sakd_ctkd_slowfast_ucf101.py']

default_hooks = dict(sakd=dict(interval=5))
