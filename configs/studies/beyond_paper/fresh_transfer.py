# SAKD+ with one lever changed at a time on fresh seeds
# (docs/benchmarks.md#results-sakd-on-fresh-seeds-4-6-transfer-regime), and the
# levers of docs/benchmarks.md#more-levers-on-fresh-seeds-4-6-both-regimes in
# the same work dir.
_base_ = ['../beyond_paper.py']

regime = 'transfer'
seeds = [4, 5, 6]
work_dir = 'work_dirs/study13/transfer_fresh'
select = [
    'kd', 'kd_cache', 'kd_e47_cache', 'infobatch', 'sakd_plus',
    'plus_sakd_selection', 'plus_floor', 'plus_no_warm', 'plus_full_scoring',
    'plus_lr_step', 'plus_cheap_scoring', 'plus_low_loss', 'plus_band',
    'plus_r1'
]
