# ./random_subset_kd_tpn_ucf101.py with a new random subset every 5
# epochs, kept in between: the control of SAKD's "Ours*"
# (./sakd_i5_tpn_ucf101.py; docs/method.md#random-subsets).
_base_ = ['./random_subset_kd_tpn_ucf101.py']

default_hooks = dict(random_subset=dict(interval=5))
