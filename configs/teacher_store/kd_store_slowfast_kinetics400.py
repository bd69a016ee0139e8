# Vanilla KD on SlowFast R101 8x8 -> SlowFast R50 4x16, Kinetics-400
# (../kd/kd_slowfast_kinetics400.py), with the teacher's logits read from a
# persistent teacher-output store (./README.md). Not in the paper.
_base_ = [
    '../kd/kd_slowfast_kinetics400.py', '../_base_/distill/teacher_store.py'
]

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ReplayAugmentation',
        # The augmentation seed: other student seeds share the views.
        seed=0,
        # 100 views cycled over the 200 epochs: the first run runs the
        # teacher in the first 100 epochs only.
        num_views=100,
        dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = {{_base_.store_hooks_top20}}
