# What every paper distillation config shares (paper Sec. IV-B, spec
# SAKD_METHOD.md): the distiller with the vanilla CE/KD weight, and the SAKD
# hook with r = 0.1, lam = 0.5, eta = 0.5, gamma = 0.5, a selection round
# every epoch ("Ours") or every 5 epochs ("Ours*"). The model/dataset bases
# (./<model>_<dataset>.py) add the model pair, data and per-GPU scoring
# batch.
model = dict(
    type='SAKDDistiller',
    # Vanilla KD: (1 - alpha) * CE + alpha * KD for every sample (spec
    # section 9); SAKDHook replaces alpha per sample (spec Eq. 6).
    alpha=0.5)
sakd_hook = dict(
    type='SAKDHook', ratio=0.1, interval=1, lam=0.5, eta=0.5, gamma=0.5)
sakd_i5_hook = dict(sakd_hook, interval=5)
