# The hooks of vanilla KD with a persistent teacher-output store
# (docs/method.md#teacher-output-store, configs/teacher_store/README.md):
# ReplayAugmentationHook sets the view of each epoch in the training set's
# ReplayAugmentation, TeacherStoreHook reads the teacher's logits of each
# (view, clip) from work_dirs/teacher_store/<fingerprint> and writes those
# it lacks.
store_root = 'work_dirs/teacher_store'
# All logits, float16 (UCF101, 101 classes: 92 MiB for 50 views).
store_hooks = [
    dict(type='ReplayAugmentationHook'),
    dict(type='TeacherStoreHook', root=store_root),
]
# The 20 largest logits (float16), their classes and the log-sum-exp of the
# others (Kinetics-400, 400 classes: 1.9 GiB for 100 views, where all
# logits would take 17.9 GiB). The soft targets at the KD temperature
# differ from the full logits' (tools/analysis/store_topk_error.py).
store_hooks_top20 = [
    dict(type='ReplayAugmentationHook'),
    dict(type='TeacherStoreHook', root=store_root, topk=20),
]
