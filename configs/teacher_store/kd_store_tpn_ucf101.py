# Vanilla KD on TPN-f32s2 R101 -> TPN-f8s8 R50, UCF101
# (../kd/kd_tpn_ucf101.py), with the teacher's logits read from a
# persistent teacher-output store (./README.md). Not in the paper.
_base_ = ['../kd/kd_tpn_ucf101.py', '../_base_/distill/teacher_store.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ReplayAugmentation',
        # The augmentation seed: other student seeds share the views.
        seed=0,
        # A new view every epoch, as without the store.
        num_views=None,
        dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = {{_base_.store_hooks}}
