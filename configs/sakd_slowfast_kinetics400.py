# SAKD with KD (Hinton et al.) on SlowFast R101 8x8 -> SlowFast R50 4x16,
# Kinetics-400 (Table IV, KD rows, SlowFast: "Ours"):
# ./kd_slowfast_kinetics400.py trained on 10% of the clips, selected every
# epoch, with per-sample distillation strength.
_base_ = ['./kd_slowfast_kinetics400.py']

train_dataloader = dict(sampler=dict(type='SubsetSampler', shuffle=True))
custom_hooks = [dict(type='RandomStateHook'), {{_base_.sakd_hook}}]
