# ./random_subset_kd_slowfast_tiny_synthetic.py with a new random subset every
# 5 epochs, the control of SAKD's "Ours*" (docs/method.md#selection-rounds,
# docs/method.md#baselines-for-the-benchmark); between draws the subset is
# kept.
_base_ = ['./random_subset_kd_slowfast_tiny_synthetic.py']

default_hooks = dict(random_subset=dict(interval=5))
