# ./sakd_dkd_tpn_kinetics400.py with a selection round every 5 epochs;
# between rounds the subset and the strengths are kept. Not in the paper
# (Table IV has no TPN).
_base_ = ['./sakd_dkd_tpn_kinetics400.py']

default_hooks = dict(sakd=dict(interval=5))
