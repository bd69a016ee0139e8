# A fair test of sample selection (docs/benchmarks.md#the-grouped-regime):
# the grouped regime, whose training clips come in 100 groups of 5 cut from
# one video as UCF101's do, on augmented clips. The paper's SAKD every epoch
# and every 5 epochs, SAKD's strengths with a random subset, random-subset
# KD, and the group-spread random subset that knows the groups for free,
# against the student alone, vanilla KD, InfoBatch-style KD, SAKD+ and the
# warm teacher-output store. results.md adds how many groups each run's
# subsets cover per round, against a random subset of the same size.
_base_ = ['./augmented.py']

regime = 'grouped'
seeds = [0, 1, 2]
baseline = 'kd'
# The grouped runs of the catalogue (./beyond_paper.py):
# `group_random_kd_i1`, and `ce_one_per_group`, which measures the groups'
# redundancy (`--runs ce,ce_one_per_group`).
select = [
    'ce', 'kd', 'sakd_i1', 'sakd_i5', 'sakd_random_i1', 'sakd_random_i5',
    'random_kd_i1', 'group_random_kd_i1', 'infobatch', 'sakd_plus_no_cache',
    'kd_store_warm'
]
