# Vanilla GKD (Wang et al., AAAI 2024; our one-stage interpretation, see
# GKDLoss) for the tiny SlowFast pair.
_base_ = ['../_base_/distill/slowfast_tiny_synthetic.py']

model = dict(kd_loss={{_base_.kd_methods.gkd}})
