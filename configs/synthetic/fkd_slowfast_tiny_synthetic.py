# Vanilla feature KD (FitNets, Eq. 1, docs/method.md#training-loss) for the
# tiny SlowFast pair: the student's (slow, fast) backbone features, mapped to
# the teacher's widths, regress the teacher's.
_base_ = ['../_base_/distill/slowfast_tiny_synthetic.py']

model = dict(kd_loss={{_base_.kd_methods.fkd}})
