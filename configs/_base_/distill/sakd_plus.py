# SAKD+ settings: mmsakd's preset beyond the paper
# (docs/method.md#beyond-the-paper), merged into the SAKD hook of a paper
# config by configs/sakd_plus/*.py. What it costs and gives:
# docs/choosing_a_method.md.
sakd_plus_hook = dict(
    # 30% of the clips per round instead of the paper's 10%: the subset
    # sets the number of optimizer steps an epoch.
    ratio=0.3,
    # A full-data epoch before the first round and one at the end (of the
    # 10-15 epochs of the tiny configs).
    warmup_epochs=1,
    anneal_epochs=1,
    # Eq. 6's per-clip strengths as they are: a floor (e.g. 0.5) would
    # replace them by a fixed KD weight for most clips.
    alpha_min=0.,
    # A uniformly random subset redrawn every round, no DPP: the subset
    # only decides which clips are trained, while Eq. 6 still weights each
    # of them; the criteria are compared in docs/benchmarks.md.
    selector=dict(_delete_=True, type='RandomSelector'),
    # Score 0.5 * k new clips per round and reuse the training losses of the
    # k clips trained since the last round.
    candidates=dict(
        type='CandidatePool', pool_factor=0.5, reuse_train_losses=True))
# The same for the paper's schedules of 50, 100 and 200 epochs: warm-up and
# annealing scaled to about 1/15 of the epochs each.
sakd_plus_hook_50e = dict(sakd_plus_hook, warmup_epochs=3, anneal_epochs=3)
sakd_plus_hook_100e = dict(sakd_plus_hook, warmup_epochs=7, anneal_epochs=7)
sakd_plus_hook_200e = dict(sakd_plus_hook, warmup_epochs=13, anneal_epochs=13)
