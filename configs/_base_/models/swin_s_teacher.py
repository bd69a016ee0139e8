# Video Swin-S (the paper's teacher): the model of MMAction2's
# recognition/swin/swin-small-p244-w877_in1k-pre_8xb8-amp-32x2x1-30e_
# kinetics400-rgb.py: its `_base_/models/swin_tiny.py` with arch 'small'
# (stage-3 depth 18) and drop path 0.2; same 768-channel output. Random
# initialisation (`pretrained2d=False`, see ./swin_t_student.py).
_base_ = ['mmaction::_base_/models/swin_tiny.py']
model = dict(
    backbone=dict(
        arch='small', drop_path_rate=0.2, pretrained=None, pretrained2d=False))
