# Vanilla feature KD (FitNets, spec Eq. 1) on SlowFast R101 8x8 -> SlowFast R50
# 4x16, Kinetics-400 (not a row of Table IV: "Vanilla"): every sample, fixed
# alpha (spec section 9).
_base_ = ['./_base_/paper/slowfast_kinetics400.py']

model = dict(kd_loss={{_base_.kd_methods.fkd}})
