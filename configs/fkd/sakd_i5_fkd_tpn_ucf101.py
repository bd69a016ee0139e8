# ./sakd_fkd_tpn_ucf101.py with a selection round every 5 epochs; between
# rounds the subset and the strengths are kept. Not a row of the paper's
# Table III.
_base_ = ['./sakd_fkd_tpn_ucf101.py']

default_hooks = dict(sakd=dict(interval=5))
