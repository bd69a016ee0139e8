# The screen of docs/benchmarks.md#the-screen-seed-0-transfer-regime: 18
# variants on one seed, compared on accuracy only.
_base_ = ['../beyond_paper.py']

regime = 'transfer'
seeds = [0]
work_dir = 'work_dirs/study13/transfer_screen'
select = [
    'kd', 'kd_cache', 'kd_e40', 'kd_e40_cache', 'kd_e53_cache', 'infobatch',
    'sakd_r1', 'fast_dpp', 'fast_random', 'fast_eq6', 'plus_epochlr', 'plus',
    'plus_random', 'plus_keephigh', 'plus_r05', 'plus_i2', 'plus_kh_i2',
    'plus_kh_r02'
]
