# Vanilla CrossKD (Wang et al., CVPR 2024, adapted to recognition;
# docs/method.md#vanilla-baselines) for the tiny SlowFast pair: the student's
# backbone features, mapped by trainable 1x1x1 convolutions to the teacher's
# widths, go through the teacher's frozen SlowFast head and are distilled
# towards the teacher's logits.
_base_ = ['../_base_/distill/slowfast_tiny_synthetic.py']

model = dict(kd_loss={{_base_.kd_methods.crosskd}})
