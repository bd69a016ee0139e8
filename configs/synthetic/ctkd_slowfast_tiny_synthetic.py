# Vanilla CTKD (Li et al., AAAI 2023; docs/method.md#vanilla-baselines) for
# the tiny SlowFast pair: a learnable temperature in [1, 21], trained
# adversarially with a gradient-reversal strength rising from 0 to 1 over the
# first 10 epochs (cosine curriculum).
_base_ = ['../_base_/distill/slowfast_tiny_synthetic.py']

model = dict(kd_loss={{_base_.kd_methods.ctkd}})
