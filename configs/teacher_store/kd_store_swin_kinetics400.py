# Vanilla KD (Hinton et al.) on Video Swin-S -> Swin-T, Kinetics-400
# (../kd/kd_swin_kinetics400.py), with the teacher's logits read from a
# persistent teacher-output store (docs/method.md#teacher-output-store). The
# training set is wrapped in ReplayAugmentation, so a clip's random frame
# offset, crop and flip are the same for the same (seed, view) in every run,
# rank and worker. The first run (or tools/precompute_teacher.py) fills the
# store; every later run with the same teacher, data and views reads it and
# runs the teacher only on views it lacks. Everything else is the namesake's.
# Not in the paper.
_base_ = ['../kd/kd_swin_kinetics400.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ReplayAugmentation',
        # The augmentation seed: runs of other student seeds see the same
        # views and share the store.
        seed=0,
        # 100 views cycled over the 200 epochs (epochs n and n + 100 share
        # a view): the first run runs the teacher in the first 100 epochs
        # only, and each clip keeps 100 random views.
        num_views=100,
        dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = [
    dict(type='ReplayAugmentationHook'),
    # The 20 largest of the 400 logits (float16), their classes and the
    # log-sum-exp of the others: about 240,000 clips x 100 views = 1.9 GiB,
    # where all logits would take 17.9 GiB. The soft targets at the KD
    # temperature differ from the full logits'
    # (docs/method.md#teacher-output-store).
    dict(type='TeacherStoreHook', root='work_dirs/teacher_store', topk=20),
]
