# SAKD+ settings: mmsakd's preset beyond the paper
# (docs/method.md#beyond-the-paper), merged into the SAKD hook of a paper
# config by configs/sakd_plus/*.py. Measured in
# docs/benchmarks.md#beyond-the-paper.
sakd_plus_hook = dict(
    # 30% of the clips per round instead of the paper's 10%.
    ratio=0.3,
    # A full-data epoch before the first round and one at the end (of the
    # 10-15 epochs of the tiny configs).
    warmup_epochs=1,
    anneal_epochs=1,
    # The subset trains with a KD weight of at least 0.5 (Eq. 6 keeps it
    # below 0.1 for the first rounds).
    alpha_min=0.5,
    # InfoBatch's rule as a ranking: the clips whose p * L is at least the
    # mean first, then the others, each in a random order; DPP picks among
    # them by that quality (docs/method.md#criteria-and-diversity).
    criterion='keep_high',
    # Score 0.5 * k new clips per round and reuse the training losses of the
    # k clips trained since the last round.
    pool_factor=0.5,
    reuse_train_losses=True)
# The same for the paper's schedules of 50, 100 and 200 epochs: warm-up and
# annealing scaled to about 1/15 of the epochs each.
sakd_plus_hook_50e = dict(sakd_plus_hook, warmup_epochs=3, anneal_epochs=3)
sakd_plus_hook_100e = dict(sakd_plus_hook, warmup_epochs=7, anneal_epochs=7)
sakd_plus_hook_200e = dict(sakd_plus_hook, warmup_epochs=13, anneal_epochs=13)
