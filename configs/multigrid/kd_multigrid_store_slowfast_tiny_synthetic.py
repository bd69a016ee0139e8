# Multigrid vanilla KD of the tiny SlowFast pair
# (./kd_multigrid_slowfast_tiny_synthetic.py) with the teacher's logits in a
# persistent teacher-output store (../teacher_store/README.md): the first
# run fills the store as it trains, later runs with the same teacher, data,
# views and multigrid schedule read it and run no teacher in training. The
# schedule is part of the store's key, since a clip's logits depend on its
# shape.
_base_ = [
    './kd_multigrid_slowfast_tiny_synthetic.py',
    '../_base_/distill/teacher_store.py'
]

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ReplayAugmentation',
        # The augmentation seed: runs of other student seeds see the same
        # views and share the store.
        seed=0,
        # A view per epoch: each epoch has shapes of its own.
        num_views=None,
        dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = [
    dict(type='MultigridHook', lr_scaling='sqrt'),
    dict(type='ReplayAugmentationHook'),
    dict(type='TeacherStoreHook', root={{_base_.store_root}}),
]
