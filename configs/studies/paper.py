# The SAKD benchmark (docs/benchmarks.md#the-sakd-benchmark): does SAKD pay
# off against the student alone, vanilla KD, random subsets of the same
# size and InfoBatch-style KD? Three seeds in the transfer regime;
# `--regime scratch` runs it from scratch.
regime = 'transfer'
# Clips read whole, as the tables of docs/benchmarks.md up to the augmented
# benchmark were measured; ./augmented.py trains on random windows and crops.
augment = False
seeds = [0, 1, 2]
baseline = 'kd'
runs = dict(
    ce=dict(
        label='Student alone (CE)',
        config='mmsakd::synthetic/slowfast_tiny_student_synthetic.py'),
    kd=dict(
        label='Vanilla KD',
        config='mmsakd::synthetic/kd_slowfast_tiny_synthetic.py'),
    sakd_i1=dict(
        label='SAKD, every epoch',
        config='mmsakd::synthetic/sakd_slowfast_tiny_synthetic.py'),
    sakd_i5=dict(
        label='SAKD, every 5 epochs',
        config='mmsakd::synthetic/sakd_i5_slowfast_tiny_synthetic.py'),
    # SAKD's scoring and Eq. 6 strengths on a random subset of the same
    # size: is the selection worth its cost?
    sakd_random_i1=dict(
        label='SAKD, random subset, every epoch',
        config='mmsakd::synthetic/sakd_slowfast_tiny_synthetic.py',
        sakd=dict(selector='random')),
    sakd_random_i5=dict(
        label='SAKD, random subset, every 5 epochs',
        config='mmsakd::synthetic/sakd_i5_slowfast_tiny_synthetic.py',
        sakd=dict(selector='random')),
    random_kd_i1=dict(
        label='Random-subset KD, every epoch',
        config='mmsakd::synthetic/random_subset_kd_slowfast_tiny_synthetic.py'
    ),
    random_kd_i5=dict(
        label='Random-subset KD, every 5 epochs',
        config='mmsakd::synthetic/'
        'random_subset_kd_i5_slowfast_tiny_synthetic.py'),
    infobatch=dict(
        label='InfoBatch-style KD',
        config='mmsakd::synthetic/infobatch_kd_slowfast_tiny_synthetic.py'),
)
