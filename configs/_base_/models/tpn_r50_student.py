# TPN-f8s8 R50 (the paper's student): MMAction2's
# `_base_/models/tpn_slowonly_r50.py` (model of
# recognition/tpn/tpn-slowonly_imagenet-pretrained-r50_8xb8-8x8x1-150e_
# kinetics400-rgb.py), with two changes:
# - random initialisation (`pretrained=None`, as in MMAction2's
#   tpn-slowonly_r50 recipe); the Kinetics-400 configs set ImageNet
#   ResNet-50 weights (the URL of MMAction2's `torchvision://resnet50`);
# - no fully-convolutional testing (MMAction2 uses `fcn_test=True`): TPNHead
#   builds its conv classifier once from fc_cls at the first test and never
#   updates it, so validation during training would use stale weights.
# Teacher and student see the same clip in distillation, so the 8 frames
# at stride 8 are taken inside the model: the dataset configs set the
# stem's temporal stride `backbone.conv1_stride_t` (4 on 32 frames at
# stride 2, 2 on 16 frames at stride 4). The stem's temporal kernel is 1,
# so this is frame subsampling and the released f8s8 weights apply
# unchanged. num_classes (head and auxiliary head) is set per dataset.
_base_ = ['mmaction::_base_/models/tpn_slowonly_r50.py']
model = dict(backbone=dict(pretrained=None), test_cfg=None)
