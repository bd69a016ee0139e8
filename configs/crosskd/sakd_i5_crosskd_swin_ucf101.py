# ./sakd_crosskd_swin_ucf101.py with a selection round every 5 epochs;
# between rounds the subset and the strengths are kept. Paper: Table III,
# CrossKD rows, VideoST, "Ours*".
_base_ = ['./sakd_crosskd_swin_ucf101.py']

default_hooks = dict(sakd=dict(interval=5))
