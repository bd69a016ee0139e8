# SlowFast R101 8x8 (the paper's teacher): the model of MMAction2's
# recognition/slowfast/slowfast_r101_8xb8-8x8x1-256e_kinetics400-rgb.py,
# i.e. its `_base_/models/slowfast_r50.py` with the 8x8 settings of
# slowfast_r50_8xb8-8x8x1-256e_kinetics400-rgb.py (slow pathway on every
# 4th frame, lateral fusion kernel 7) and depth 101. Same clip as the
# student, same output widths (slow 2048, fast 256).
_base_ = ['mmaction::_base_/models/slowfast_r50.py']
model = dict(
    backbone=dict(
        resample_rate=4,  # tau
        speed_ratio=4,  # alpha
        channel_ratio=8,  # beta_inv
        slow_pathway=dict(depth=101, fusion_kernel=7),
        fast_pathway=dict(depth=101)))
