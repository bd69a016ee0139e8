# SAKD+ v1 from scratch (docs/benchmarks.md#sakd-v1-from-scratch-seeds-1-3).
_base_ = ['../beyond_paper.py']

regime = 'scratch'
seeds = [1, 2, 3]
work_dir = 'work_dirs/study13/scratch'
select = [
    'kd', 'kd_e40_cache', 'kd_e53_cache', 'infobatch', 'sakd_plus_v1',
    'v1_rand', 'sakd_r1'
]
