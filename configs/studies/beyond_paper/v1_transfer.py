# SAKD+ v1 and its ablations, one lever off at a time, and the finalists that
# combine the ablations that beat it
# (docs/benchmarks.md#sakd-v1-and-its-ablations-transfer-regime-seeds-1-3).
_base_ = ['../beyond_paper.py']

regime = 'transfer'
seeds = [1, 2, 3]
work_dir = 'work_dirs/study13/transfer'
select = [
    'kd', 'kd_cache', 'kd_e40_cache', 'kd_e47_cache', 'kd_e53_cache',
    'infobatch', 'sakd_plus_v1', 'v1_easiness', 'v1_rand', 'v1_no_floor',
    'v1_no_warm', 'v1_full_scoring', 'v1_lr_epoch', 'sakd_r1',
    'v1_rand_lr_epoch', 'v1_rand_lr_epoch_no_floor'
]
