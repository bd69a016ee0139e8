# Vanilla DKD (Zhao et al., CVPR 2022; docs/method.md#vanilla-baselines) for
# the tiny SlowFast pair, at its paper's alpha = 1, beta = 8, tau = 4. The
# 20-epoch warm-up shrinks to max_epochs / 12 on shorter runs (see DKDLoss).
_base_ = ['../_base_/distill/slowfast_tiny_synthetic.py']

model = dict(kd_loss={{_base_.kd_methods.dkd}})
