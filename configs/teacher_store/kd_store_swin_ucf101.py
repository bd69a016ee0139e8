# Vanilla KD (Hinton et al.) on Video Swin-S -> Swin-T, UCF101
# (../kd/kd_swin_ucf101.py), with the teacher's logits read from a persistent
# teacher-output store (docs/method.md#teacher-output-store). The training set
# is wrapped in ReplayAugmentation, so a clip's random frame offset, crop and
# flip are the same for the same (seed, view) in every run, rank and worker.
# The first run (or tools/precompute_teacher.py) fills the store; every later
# run with the same teacher, data and views reads it and runs the teacher only
# on views it lacks. Everything else is the namesake's. Not in the paper.
_base_ = ['../kd/kd_swin_ucf101.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ReplayAugmentation',
        # The augmentation seed: runs of other student seeds see the same
        # views and share the store.
        seed=0,
        # A new view every epoch (100 views), as without the store: UCF101
        # is small, so fewer views would cost augmentation variety to save
        # little disk.
        num_views=None,
        dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = [
    dict(type='ReplayAugmentationHook'),
    # All 101 logits in float16: 9,537 clips x 100 views = 185 MiB.
    dict(type='TeacherStoreHook', root='work_dirs/teacher_store', topk=None),
]
