# The final study of docs/benchmarks.md#beyond-the-paper, transfer regime
# (#final-study-seeds-7-9-both-regimes-one-session).
_base_ = ['../beyond_paper.py']

regime = 'transfer'
seeds = [7, 8, 9]
work_dir = 'work_dirs/study13/transfer_final'
select = [
    'kd', 'kd_cache', 'kd_e47_cache', 'infobatch', 'sakd_i1', 'sakd_i5',
    'sakd_plus', 'plus_cheap_scoring', 'plus_r1', 'plus_ratio_down',
    'plus_ratio_up'
]
