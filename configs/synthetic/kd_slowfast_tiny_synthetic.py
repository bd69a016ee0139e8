# Vanilla KD (docs/method.md#vanilla-baselines): the tiny SlowFast student
# distilled from the tiny SlowFast teacher on every training clip, with the
# fixed weight alpha = 0.5 of Eq. 9. Same data, schedule and runtime as the
# student trained alone (./slowfast_tiny_student_synthetic.py), so that the
# two runs differ only by the teacher.
_base_ = ['../_base_/distill/slowfast_tiny_synthetic.py']

model = dict(kd_loss={{_base_.kd_methods.kd}})
