# Every variant of docs/benchmarks.md#beyond-the-paper on top of the paper's
# runs: shortened and cached vanilla KD, SAKD at r = 1, SAKD with the
# options beyond the paper, the SAKD+ preset and its ablations, and SAKD+
# v1 with its ablations. Each variant keeps its own settings, so the
# section's studies (./beyond_paper/) rerun unchanged. As a study, it
# trains the section's last one: seeds 7-9, transfer regime.
_base_ = ['./paper.py']

KD = 'mmsakd::synthetic/kd_slowfast_tiny_synthetic.py'
SAKD = 'mmsakd::synthetic/sakd_slowfast_tiny_synthetic.py'
SAKD_I5 = 'mmsakd::synthetic/sakd_i5_slowfast_tiny_synthetic.py'
PRESET = 'mmsakd::sakd_plus/sakd_plus_slowfast_tiny_synthetic.py'
CACHE = dict(model=dict(teacher_cache=True))
# The hook options of the `plus` variants (r = 0.3, a full-data epoch first
# and last, strengths floored at 0.5, a candidate pool with reused losses);
# each `plus_*` variant changes one or two of them.
PLUS = dict(
    ratio=0.3,
    warmup_epochs=1,
    anneal_epochs=1,
    alpha_min=0.5,
    pool_factor=0.5,
    reuse_train_losses=True)
# SAKD+ v1: the keep-high criterion with DPP and strengths floored at 0.5
# on top of the preset, with the learning rate per step; each `v1_*`
# variant changes one or two of its settings.
PLUS_V1 = dict(criterion='keep_high', diversity=None, alpha_min=0.5)
# A cheaper scoring pass for the tiny pairs: every second frame of the same
# span (8 of 16) at 24x24 instead of 32x32, about 0.28x the validation
# pipeline's pixels.
CHEAP_SCORING = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=8,
        frame_interval=2,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(24, 24), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(
        type='PackActionInputs',
        meta_keys=('img_shape', 'img_key', 'video_id', 'timestamp',
                   'sample_idx'))
]

# The levers of the augmented benchmark (./augmented.py).
STORE = 'mmsakd::teacher_store/kd_store_slowfast_tiny_synthetic.py'
REPLAY_HOOK = dict(type='ReplayAugmentationHook')
# `{work_dir}` is the run's folder, <study>/runs/<run>/seed<k>.
COLD = dict(custom_hooks=[
    REPLAY_HOOK,
    dict(type='TeacherStoreHook', root='{work_dir}/teacher_store')
])
WARM = dict(custom_hooks=[
    REPLAY_HOOK,
    dict(
        type='TeacherStoreHook',
        root='{work_dir}/../../../teacher_store',
        prefill=True)
])
MULTIGRID = 'mmsakd::multigrid/kd_multigrid_slowfast_tiny_synthetic.py'
MULTIGRID_STORE = \
    'mmsakd::multigrid/kd_multigrid_store_slowfast_tiny_synthetic.py'
MG_UNTIL = dict(schedule=dict(until_epoch=12))
MG_HOOK = dict(type='MultigridHook', lr_scaling='sqrt')
MG_MILD = dict(
    until_epoch=12,
    long_cycle=[(0.5, 0.75), (1.0, 0.75), (0.5, 1.0), (1.0, 1.0)],
    short_cycle=[])

seeds = [7, 8, 9]
select = [
    'kd', 'kd_cache', 'kd_e47_cache', 'infobatch', 'sakd_i1', 'sakd_i5',
    'sakd_plus', 'plus_cheap_scoring', 'plus_r1', 'plus_ratio_down',
    'plus_ratio_up'
]
runs = dict(
    kd_cache=dict(
        label='Vanilla KD, teacher cache', config=KD, overrides=CACHE),
    kd_e40=dict(
        label='Vanilla KD, 40% of the epochs', config=KD, epochs_scale=0.4),
    kd_e40_cache=dict(
        label='Vanilla KD, 40% of the epochs, teacher cache',
        config=KD,
        epochs_scale=0.4,
        overrides=CACHE),
    kd_e47_cache=dict(
        label='Vanilla KD, 47% of the epochs, teacher cache',
        config=KD,
        epochs_scale=7 / 15,
        overrides=CACHE),
    kd_e53_cache=dict(
        label='Vanilla KD, 53% of the epochs, teacher cache',
        config=KD,
        epochs_scale=8 / 15,
        overrides=CACHE),
    sakd_r1=dict(
        label='SAKD at r = 1 (Eq. 6 weighting alone)',
        config=SAKD,
        sakd=dict(ratio=1.0)),
    fast_dpp=dict(
        label='r 0.3, every 5, warm-up + anneal, alpha >= 0.5, cache',
        config=SAKD_I5,
        sakd=dict(ratio=0.3, warmup_epochs=1, anneal_epochs=1, alpha_min=0.5),
        overrides=CACHE),
    fast_random=dict(
        label='as fast_dpp, random subset',
        config=SAKD_I5,
        sakd=dict(
            ratio=0.3,
            warmup_epochs=1,
            anneal_epochs=1,
            alpha_min=0.5,
            selector='random'),
        overrides=CACHE),
    fast_eq6=dict(
        label='as fast_dpp, Eq. 6 alpha unfloored',
        config=SAKD_I5,
        sakd=dict(ratio=0.3, warmup_epochs=1, anneal_epochs=1),
        overrides=CACHE),
    plus=dict(
        label='r 0.3 every epoch, warm-up + anneal, alpha >= 0.5, '
        'pool 0.5 + reuse, LR per step, cache',
        config=SAKD,
        sakd=PLUS,
        overrides=CACHE,
        lr_by_steps=True),
    plus_epochlr=dict(
        label='as plus, LR per epoch',
        config=SAKD,
        sakd=PLUS,
        overrides=CACHE,
        lr_by_steps=False),
    plus_r05=dict(
        label='as plus, r 0.5',
        config=SAKD,
        sakd=dict(PLUS, ratio=0.5),
        overrides=CACHE,
        lr_by_steps=True),
    plus_random=dict(
        label='as plus, random subset',
        config=SAKD,
        sakd=dict(PLUS, criterion='random', diversity='none'),
        overrides=CACHE,
        lr_by_steps=True),
    plus_keephigh=dict(
        label='as plus, keep-high criterion',
        config=SAKD,
        sakd=dict(PLUS, criterion='keep_high'),
        overrides=CACHE,
        lr_by_steps=True),
    plus_i2=dict(
        label='as plus, every 2 epochs',
        config=SAKD,
        sakd=dict(PLUS, interval=2),
        overrides=CACHE,
        lr_by_steps=True),
    plus_kh_i2=dict(
        label='as plus, keep-high criterion, every 2 epochs',
        config=SAKD,
        sakd=dict(PLUS, criterion='keep_high', interval=2),
        overrides=CACHE,
        lr_by_steps=True),
    plus_kh_r02=dict(
        label='as plus, keep-high criterion, r 0.2',
        config=SAKD,
        sakd=dict(PLUS, criterion='keep_high', ratio=0.2),
        overrides=CACHE,
        lr_by_steps=True),
    # The SAKD+ preset and its ablations, one lever changed at a time.
    sakd_plus=dict(label='SAKD+ (preset)', config=PRESET),
    plus_sakd_selection=dict(
        label='SAKD+, SAKD\'s selection (easiness + DPP)',
        config=PRESET,
        sakd=dict(criterion='easiness', diversity=None)),
    plus_floor=dict(
        label='SAKD+, alpha floored at 0.5',
        config=PRESET,
        sakd=dict(alpha_min=0.5)),
    plus_no_warm=dict(
        label='SAKD+, no warm-up or annealing',
        config=PRESET,
        sakd=dict(warmup_epochs=0, anneal_epochs=0)),
    plus_full_scoring=dict(
        label='SAKD+, every clip scored each round',
        config=PRESET,
        sakd=dict(pool_factor=None, reuse_train_losses=False)),
    plus_lr_step=dict(
        label='SAKD+, learning rate per step', config=PRESET,
        lr_by_steps=True),
    plus_low_loss=dict(
        label='SAKD+, lowest-loss criterion',
        config=PRESET,
        sakd=dict(criterion='low_loss')),
    plus_band=dict(
        label='SAKD+, middle-band criterion',
        config=PRESET,
        sakd=dict(criterion='band')),
    plus_r1=dict(
        label='SAKD+ at r = 1 (Eq. 6 weighting from reused losses)',
        config=PRESET,
        sakd=dict(ratio=1.0)),
    plus_cheap_scoring=dict(
        label='SAKD+, scoring at 8 of 16 frames and 24x24',
        config=PRESET,
        sakd=dict(score_pipeline=CHEAP_SCORING)),
    # The preset's 13 rounds at 0.3 against the same steps spread unevenly:
    # a ratio schedule from 0.5 down to 0.1 and from 0.1 up to 0.5 (both
    # average 0.3).
    plus_ratio_down=dict(
        label='SAKD+, ratio 0.5 -> 0.1 (linear)',
        config=PRESET,
        sakd=dict(ratio=0.5, ratio_end=0.1)),
    plus_ratio_up=dict(
        label='SAKD+, ratio 0.1 -> 0.5 (linear)',
        config=PRESET,
        sakd=dict(ratio=0.1, ratio_end=0.5)),
    # SAKD+ v1, one setting changed at a time, and two combinations of
    # those changes.
    sakd_plus_v1=dict(
        label='SAKD+ v1', config=PRESET, sakd=PLUS_V1, lr_by_steps=True),
    v1_easiness=dict(
        label='SAKD+ v1, SAKD\'s easiness criterion',
        config=PRESET,
        sakd=dict(PLUS_V1, criterion='easiness'),
        lr_by_steps=True),
    v1_rand=dict(
        label='SAKD+ v1, random subset',
        config=PRESET,
        sakd=dict(PLUS_V1, criterion='random', diversity='none'),
        lr_by_steps=True),
    v1_no_floor=dict(
        label='SAKD+ v1, no alpha floor',
        config=PRESET,
        sakd=dict(PLUS_V1, alpha_min=0.),
        lr_by_steps=True),
    v1_no_warm=dict(
        label='SAKD+ v1, no warm-up or annealing',
        config=PRESET,
        sakd=dict(PLUS_V1, warmup_epochs=0, anneal_epochs=0),
        lr_by_steps=True),
    v1_full_scoring=dict(
        label='SAKD+ v1, every clip scored each round',
        config=PRESET,
        sakd=dict(PLUS_V1, pool_factor=None, reuse_train_losses=False),
        lr_by_steps=True),
    v1_lr_epoch=dict(
        label='SAKD+ v1, learning rate per epoch', config=PRESET,
        sakd=PLUS_V1),
    v1_rand_lr_epoch=dict(
        label='SAKD+ v1, random subset, learning rate per epoch',
        config=PRESET,
        sakd=dict(PLUS_V1, criterion='random', diversity='none')),
    v1_rand_lr_epoch_no_floor=dict(
        label='SAKD+ v1, random subset, learning rate per epoch, no alpha '
        'floor',
        config=PRESET,
        sakd=dict(PLUS_V1, criterion='random', diversity='none',
                  alpha_min=0.)),
    kd_store_cold=dict(
        label='Vanilla KD, teacher-output store, cold',
        config=STORE,
        overrides=COLD),
    kd_store_warm=dict(
        label='Vanilla KD, teacher-output store, warm',
        config=STORE,
        overrides=WARM),
    kd_store_v3=dict(
        label='Vanilla KD, store of 3 views per clip, cold',
        config=STORE,
        overrides=dict(
            train_dataloader=dict(dataset=dict(num_views=3)), **COLD)),
    random_kd_rs2=dict(
        label='Random-subset KD, every epoch, without replacement (RS2)',
        config='mmsakd::synthetic/random_subset_kd_slowfast_tiny_synthetic.py',
        overrides=dict(
            default_hooks=dict(random_subset=dict(replacement=False)))),
    # Multigrid: 12 of the 15 epochs in the cycles (the paper-size configs'
    # four fifths); the learning rate by the square-root rule (AdamW), or by
    # the linear rule of Wu et al.'s SGD.
    kd_multigrid=dict(
        label='Vanilla KD, multigrid',
        config=MULTIGRID,
        overrides=dict(train_dataloader=dict(dataset=MG_UNTIL))),
    kd_multigrid_linear=dict(
        label='Vanilla KD, multigrid, linear learning-rate rule',
        config=MULTIGRID,
        overrides=dict(
            train_dataloader=dict(dataset=MG_UNTIL),
            custom_hooks=[dict(type='MultigridHook', lr_scaling='linear')])),
    kd_multigrid_const=dict(
        label='Vanilla KD, multigrid, constant batch',
        config=MULTIGRID,
        overrides=dict(
            train_dataloader=dict(
                dataset=dict(
                    schedule=dict(MG_UNTIL['schedule'], scale_batch=False))))),
    # Milder shapes: 8 of 16 frames and 24 of 32 pixels at the smallest,
    # no short cycle; with and without the batch growing.
    kd_multigrid_mild=dict(
        label='Vanilla KD, multigrid, mild shapes',
        config=MULTIGRID,
        overrides=dict(train_dataloader=dict(dataset=dict(schedule=MG_MILD)))),
    kd_multigrid_mild_const=dict(
        label='Vanilla KD, multigrid, mild shapes, constant batch',
        config=MULTIGRID,
        overrides=dict(
            train_dataloader=dict(
                dataset=dict(schedule=dict(MG_MILD, scale_batch=False))))),
    kd_multigrid_mild_const_store_warm=dict(
        label='Vanilla KD, multigrid, mild shapes, constant batch, '
        'teacher-output store, warm',
        config=MULTIGRID_STORE,
        overrides=dict(
            train_dataloader=dict(
                dataset=dict(
                    dataset=dict(schedule=dict(MG_MILD, scale_batch=False)))),
            custom_hooks=[MG_HOOK] + WARM['custom_hooks'])),
    kd_e60=dict(
        label='Vanilla KD, 60% of the epochs (budgeted)',
        config='mmsakd::synthetic/kd_slowfast_tiny_synthetic.py',
        epochs_scale=0.6),
    kd_multigrid_store_cold=dict(
        label='Vanilla KD, multigrid, teacher-output store, cold',
        config=MULTIGRID_STORE,
        overrides=dict(
            train_dataloader=dict(dataset=dict(dataset=MG_UNTIL)),
            custom_hooks=[MG_HOOK] + COLD['custom_hooks'])),
    kd_multigrid_store_warm=dict(
        label='Vanilla KD, multigrid, teacher-output store, warm',
        config=MULTIGRID_STORE,
        overrides=dict(
            train_dataloader=dict(dataset=dict(dataset=MG_UNTIL)),
            custom_hooks=[MG_HOOK] + WARM['custom_hooks'])),
    kd_e80=dict(
        label='Vanilla KD, 80% of the epochs (budgeted)',
        config='mmsakd::synthetic/kd_slowfast_tiny_synthetic.py',
        epochs_scale=0.8),
    # The warm store on a budget: fewer epochs, each without the teacher.
    kd_store_warm_e60=dict(
        label='Vanilla KD, 60% of the epochs (budgeted), teacher-output '
        'store, warm',
        config=STORE,
        overrides=WARM,
        epochs_scale=0.6),
    kd_store_warm_e40=dict(
        label='Vanilla KD, 40% of the epochs (budgeted), teacher-output '
        'store, warm',
        config=STORE,
        overrides=WARM,
        epochs_scale=0.4),
    # Budgeted vanilla KD and RS2 at about the warm store's time (0.68x of
    # vanilla KD's on the screening seed): 10 of 15 epochs, and two thirds
    # of the clips each epoch redrawn without replacement.
    kd_e67=dict(
        label='Vanilla KD, 67% of the epochs (budgeted)',
        config='mmsakd::synthetic/kd_slowfast_tiny_synthetic.py',
        epochs_scale=2 / 3),
    random_kd_rs2_r67=dict(
        label='Random-subset KD, r = 0.67, without replacement (RS2)',
        config='mmsakd::synthetic/random_subset_kd_slowfast_tiny_synthetic.py',
        overrides=dict(
            default_hooks=dict(
                random_subset=dict(ratio=0.67, replacement=False)))),
    # The preset caches its teacher's logits by clip, which a random
    # pipeline does not allow (the cache's check would stop the run).
    sakd_plus_no_cache=dict(
        label='SAKD+ (preset, no teacher cache)',
        config='mmsakd::sakd_plus/sakd_plus_slowfast_tiny_synthetic.py',
        overrides=dict(model=dict(teacher_cache=None))),
    # The grouped regime's (./grouped.py): the control that knows the groups
    # for free, and how redundant the groups are, the student alone on one
    # fixed clip of each group (a fifth of the clips, drawn once) for five
    # times the epochs, about the optimizer steps of `ce` on every clip.
    # Both need clips named with their group (`..._g<group>_c<clip>`).
    group_random_kd_i1=dict(
        label='Group-spread random-subset KD, every epoch',
        config='mmsakd::synthetic/group_subset_kd_slowfast_tiny_synthetic.py'),
    ce_one_per_group=dict(
        label='Student alone, one clip per group, 5x the epochs',
        config='mmsakd::synthetic/slowfast_tiny_student_synthetic.py',
        epochs_scale=5,
        overrides={
            'train_cfg.val_interval':
            5,
            'train_dataloader.sampler':
            dict(type='SubsetSampler', shuffle=True),
            # Drawn at the first epoch only: more epochs than any run has.
            'default_hooks.random_subset':
            dict(type='GroupSubsetHook', ratio=0.2, interval=10000)
        }),
)
