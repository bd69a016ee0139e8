# Group-spread random-subset KD, the control that knows the data's
# redundancy for free (docs/method.md#random-subsets):
# ./random_subset_kd_slowfast_tiny_synthetic.py with each epoch's 10% drawn
# as one random clip from each of as many random groups as it holds
# (GroupSubsetHook). The groups are read from the clip names
# (`..._g<group>_c<clip>`), so it trains on grouped data: the grouped
# benchmark regime's target, or clips from `python
# tools/data/synthetic/generate.py --clips-per-group 5` pointed at with
# `--cfg-options`; on the default data it stops with an error naming the
# first clip without a group.
_base_ = ['./random_subset_kd_slowfast_tiny_synthetic.py']

default_hooks = dict(
    random_subset=dict(
        _delete_=True, type='GroupSubsetHook', ratio=0.1, interval=1))
