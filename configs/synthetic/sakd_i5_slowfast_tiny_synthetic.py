# ./sakd_slowfast_tiny_synthetic.py with a selection round every 5 epochs (the
# paper's "Ours*"); between rounds the subset and the strengths are kept.
_base_ = ['./sakd_slowfast_tiny_synthetic.py']

default_hooks = dict(sakd=dict(interval=5))
