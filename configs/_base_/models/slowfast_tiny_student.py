# Tiny SlowFast student: the teacher's layout (slowfast_tiny_teacher.py) at
# half the slow-pathway width and a quarter of the fast-pathway width: slow
# base_channels=8, fast base_channels=2 (channel_ratio 4).
_base_ = ['./slowfast_tiny_teacher.py']
model = dict(
    backbone=dict(
        channel_ratio=4,
        slow_pathway=dict(base_channels=8),
        fast_pathway=dict(base_channels=2)),
    cls_head=dict(in_channels=80))  # slow 64 + fast 16
