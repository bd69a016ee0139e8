# Vanilla KD (Hinton et al.) on TPN-f32s2 R101 -> TPN-f8s8 R50, UCF101
# (../kd/kd_tpn_ucf101.py), with multigrid training
# (docs/method.md#multigrid-kd, ./README.md): the long and short cycles of
# Wu et al. (CVPR 2020) for the first 40 of the 50 epochs, the namesake's
# clip shape and batch for the last 10. Not in the paper.
_base_ = ['../kd/kd_tpn_ucf101.py']

train_dataloader = dict(
    # Batches of one clip shape, sized for it.
    batch_sampler=dict(type='MultigridBatchSampler'),
    sampler=dict(type='SubsetSampler', shuffle=True),
    dataset=dict(
        _delete_=True,
        type='MultigridClips',
        schedule=dict(type='MultigridSchedule', until_epoch=40),
        dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = [dict(type='MultigridHook')]
