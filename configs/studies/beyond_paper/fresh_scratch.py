# SAKD+ and its ablations from scratch on fresh seeds
# (docs/benchmarks.md#results-sakd-on-fresh-seeds-4-6-scratch-regime), and the
# levers of docs/benchmarks.md#more-levers-on-fresh-seeds-4-6-both-regimes in
# the same work dir.
_base_ = ['../beyond_paper.py']

regime = 'scratch'
seeds = [4, 5, 6]
work_dir = 'work_dirs/study13/scratch_fresh'
select = [
    'kd', 'infobatch', 'sakd_plus', 'plus_sakd_selection', 'plus_floor',
    'plus_no_warm', 'kd_cache', 'plus_cheap_scoring', 'plus_low_loss',
    'plus_band', 'plus_lr_step', 'plus_full_scoring', 'plus_r1'
]
