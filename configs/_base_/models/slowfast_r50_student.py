# SlowFast R50 4x16 (the paper's student): MMAction2's model, as is
# (`_base_/models/slowfast_r50.py`, the model of
# recognition/slowfast/slowfast_r50_8xb8-4x16x1-256e_kinetics400-rgb.py).
# Slow pathway: every 8th frame of the clip; fast pathway: every frame;
# slow 2048 + fast 256 = 2304 channels into the head. Random
# initialisation (`pretrained=None`); num_classes is set per dataset.
_base_ = ['mmaction::_base_/models/slowfast_r50.py']
