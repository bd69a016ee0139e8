# The augmented benchmark (docs/benchmarks.md#the-augmented-benchmark): every
# training clip a random 16-frame window and a mild random crop of a 24-frame
# clip, as real video training draws them. The baselines, and vanilla KD
# with its teacher's logits in a persistent teacher-output store: cold (a
# store of the run's own, filled as it trains), warm (a store shared by the
# study's runs, filled before training and outside the timed epochs), and
# cold with 3 views per clip (the teacher runs in the first 3 epochs only).
# Budgeted vanilla KD (fewer epochs, the learning rate decayed to zero at
# the budget) is the baseline every cheaper run must beat at equal time.
_base_ = ['./beyond_paper.py']

augment = True
seeds = [0, 1, 2]
baseline = 'kd'
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
select = [
    'ce', 'kd', 'kd_store_cold', 'kd_store_warm', 'kd_store_v3', 'kd_e80',
    'random_kd_i1', 'infobatch', 'sakd_i1', 'sakd_plus_no_cache'
]
runs = dict(
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
    kd_e80=dict(
        label='Vanilla KD, 80% of the epochs (budgeted)',
        config='mmsakd::synthetic/kd_slowfast_tiny_synthetic.py',
        epochs_scale=0.8),
    # The preset caches its teacher's logits by clip, which a random
    # pipeline does not allow (the cache's check would stop the run).
    sakd_plus_no_cache=dict(
        label='SAKD+ (preset, no teacher cache)',
        config='mmsakd::sakd_plus/sakd_plus_slowfast_tiny_synthetic.py',
        overrides=dict(model=dict(teacher_cache=None))),
)
