# The seven distillation losses (docs/method.md#training-loss), one variable
# each, with the hyper-parameters of their papers; the paper configs and the
# tiny synthetic ones share them. The feature losses get their channel
# numbers from the model pair (./<model>_kd_methods.py). A method config
# picks one with `model = dict(kd_loss={{_base_.kd_methods.<name>}})`.
kd_methods = dict(
    # Hinton et al. 2015 (Eq. 2, docs/method.md#training-loss).
    kd=dict(type='KDLoss', tau=4.0),
    # Zhao et al., CVPR 2022; the 20-epoch warm-up of the KD term.
    dkd=dict(type='DKDLoss', alpha=1.0, beta=8.0, tau=4.0, warmup_epochs=20),
    # Li et al., AAAI 2023: learnable temperature in [1, 21], adversarial
    # strength rising from 0 to 1 over 10 epochs.
    ctkd=dict(
        type='CTKDLoss',
        tau_min=1.0,
        tau_range=20.0,
        curriculum_epochs=10,
        lambda_max=1.0,
        lambda_min=0.0),
    # Wang et al., CVPR 2024: the student's features through the teacher's
    # frozen head.
    crosskd=dict(type='CrossKDLoss', tau=4.0),
    # FitNets-style feature KD (Eq. 1, docs/method.md#training-loss); not
    # a row of Tables III/IV.
    fkd=dict(type='FeatureKDLoss'),
    # Wang et al., TIP 2024 (our interpretation, see DualKDLoss).
    dualkd=dict(
        type='DualKDLoss',
        ot_weight=1.0,
        self_weight=1.0,
        tau=4.0,
        eps=0.1,
        num_iters=50,
        momentum=0.999),
    # GKD (the paper's "CKD [8]", AAAI 2024; our one-stage interpretation,
    # see GKDLoss).
    gkd=dict(
        type='GKDLoss',
        latent_channels=16,
        hidden_channels=64,
        att_weight=1.0,
        rec_weight=1.0,
        kl_weight=0.1))
