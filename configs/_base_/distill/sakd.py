# What every distillation config shares (paper Sec. IV-B,
# docs/method.md#paper-settings): the distiller with the vanilla CE/KD weight,
# and the SAKD hook with r = 0.1, lam = 0.5, eta = 0.5, gamma = 0.5 and a
# selection round every epoch ("Ours"; "Ours*" configs set interval=5). The
# model/dataset skeletons (./<model>_<dataset>.py) add the model pair, the
# data and the per-GPU scoring batch. A SAKD config registers the hook with
# `default_hooks = dict(sakd={{_base_.sakd_hook}})`, so that a run can change
# it by name: `--cfg-options default_hooks.sakd.ratio=0.3
# default_hooks.sakd.selector.gamma=0.3`.
model = dict(
    type='SAKDDistiller',
    # Vanilla KD: (1 - alpha) * CE + alpha * KD for every sample
    # (docs/method.md#vanilla-baselines); SAKDHook replaces alpha per sample
    # (Eq. 6, docs/method.md#distillation-strength).
    alpha=0.5)
sakd_hook = dict(
    type='SAKDHook',
    ratio=0.1,
    interval=1,
    lam=0.5,
    # The scoring pass: the interruption's threshold eta, its batch size.
    scorer=dict(type='InterruptionScorer', eta=0.5),
    # Every sample is scored in every round.
    candidates=dict(type='AllSamples'),
    # Greedy DPP over easy and diverse samples, Eq. 8's gamma.
    selector=dict(type='DPPSelector', criterion='easiness', gamma=0.5))
