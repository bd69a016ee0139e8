# Short path of ./kd/sakd_slowfast_ucf101.py (same config).
_base_ = ['./kd/sakd_slowfast_ucf101.py']
