# The final study of docs/benchmarks.md#beyond-the-paper, scratch regime
# (#final-study-seeds-7-9-both-regimes-one-session).
_base_ = ['../beyond_paper.py']

regime = 'scratch'
seeds = [7, 8, 9]
work_dir = 'work_dirs/study13/scratch_final'
select = [
    'kd', 'kd_cache', 'infobatch', 'sakd_i1', 'sakd_i5', 'sakd_plus',
    'plus_cheap_scoring', 'plus_r1', 'plus_ratio_down', 'plus_ratio_up'
]
