# Short path of ./kd/kd_slowfast_ucf101.py (same config).
_base_ = ['./kd/kd_slowfast_ucf101.py']
