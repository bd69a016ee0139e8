# ./sakd_swin_tiny_synthetic.py with a selection round every 5 epochs.
_base_ = ['./sakd_swin_tiny_synthetic.py']

default_hooks = dict(sakd=dict(interval=5))
