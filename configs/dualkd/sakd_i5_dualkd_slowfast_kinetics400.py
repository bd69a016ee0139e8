# ./sakd_dualkd_slowfast_kinetics400.py with a selection round every 5
# epochs; between rounds the subset and the strengths are kept. Paper: Table
# IV, DualKD rows, SlowFast, "Ours*".
_base_ = ['./sakd_dualkd_slowfast_kinetics400.py']

default_hooks = dict(sakd=dict(interval=5))
