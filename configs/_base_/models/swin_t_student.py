# Video Swin-T (the paper's student): MMAction2's `_base_/models/swin_tiny.py`
# (model of recognition/swin/swin-tiny-p244-w877_in1k-pre_8xb8-amp-32x2x1-
# 30e_kinetics400-rgb.py); stage-3 depth 6, 768-channel output.
# Random initialisation: `pretrained2d=False` here, since
# `pretrained2d=True` without `pretrained` fails in `init_weights`. The
# Kinetics-400 configs set `pretrained` to MMAction2's ImageNet Swin-T with
# `pretrained2d=True` (inflate it), as MMAction2's recipe does.
_base_ = ['mmaction::_base_/models/swin_tiny.py']
model = dict(backbone=dict(pretrained=None, pretrained2d=False))
