# Group-spread random-subset KD on SlowFast R101 8x8 -> SlowFast R50 4x16,
# UCF101: ./random_subset_kd_slowfast_ucf101.py with each epoch's 10% drawn
# as one random clip from each of as many random groups as it holds. UCF101
# cuts the 4-7 clips of a group from one video and names them
# `v_<Class>_g<group>_c<clip>.avi`, which GroupSubsetHook reads from the
# annotation list: the cheapest way to use that redundancy, and the control
# that tells whether SAKD's diversity term finds what the group labels give
# for free (docs/method.md#random-subsets). Not in the paper.
_base_ = ['./random_subset_kd_slowfast_ucf101.py']

default_hooks = dict(
    random_subset=dict(
        _delete_=True, type='GroupSubsetHook', ratio=0.1, interval=1))
