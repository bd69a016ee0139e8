# Vanilla DualKD (Wang et al., TIP 2024; our interpretation, see DualKDLoss)
# for the tiny SlowFast pair.
_base_ = ['../_base_/distill/slowfast_tiny_synthetic.py']

model = dict(kd_loss={{_base_.kd_methods.dualkd}})
