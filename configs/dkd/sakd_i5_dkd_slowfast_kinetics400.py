# ./sakd_dkd_slowfast_kinetics400.py with a selection round every 5 epochs;
# between rounds the subset and the strengths are kept. Paper: Table IV, DKD
# rows, SlowFast, "Ours*".
_base_ = ['./sakd_dkd_slowfast_kinetics400.py']

default_hooks = dict(sakd=dict(interval=5))
