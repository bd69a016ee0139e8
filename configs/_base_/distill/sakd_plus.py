# SAKD+ settings: mmsakd's preset beyond the paper
# (docs/method.md#beyond-the-paper), merged into the SAKD hook of a paper
# config by configs/sakd_plus/*.py. Measured in
# docs/benchmarks.md#beyond-the-paper.
sakd_plus_hook = dict(
    # 30% of the clips per round instead of the paper's 10%.
    ratio=0.3,
    # A full-data epoch before the first round and one at the end; the
    # paper-size configs scale both to about 1/15 of their epochs.
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
