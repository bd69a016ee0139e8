# Vanilla KD of the tiny SlowFast pair
# (../synthetic/kd_slowfast_tiny_synthetic.py) with the teacher's logits
# read from a persistent teacher-output store
# (docs/method.md#teacher-output-store): the first run fills the store as it
# trains, every later run with the same teacher, data and views reads it and
# runs no teacher in training. The training set is wrapped in
# ReplayAugmentation, so that a random pipeline gives the same view of a clip
# for the same (seed, epoch) in every run, rank and worker.
_base_ = [
    '../synthetic/kd_slowfast_tiny_synthetic.py',
    '../_base_/distill/teacher_store.py'
]

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ReplayAugmentation',
        # The augmentation seed: runs of other student seeds see the same
        # views and share the store.
        seed=0,
        # None: a view per epoch; an int cycles through that many views,
        # so that the teacher runs only in the first num_views epochs.
        num_views=None,
        dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = {{_base_.store_hooks}}
