# Vanilla KD (Hinton et al.) on TPN-f32s2 R101 -> TPN-f8s8 R50, Kinetics-400
# (../kd/kd_tpn_kinetics400.py), with multigrid training
# (docs/method.md#multigrid-kd, ./README.md): the long and short cycles of
# Wu et al. (CVPR 2020) for the first 160 of the 200 epochs, the namesake's
# clip shape and batch for the last 40. Not in the paper.
_base_ = ['../kd/kd_tpn_kinetics400.py']

train_dataloader = dict(
    # Batches of one clip shape, sized for it.
    batch_sampler=dict(type='MultigridBatchSampler'),
    sampler=dict(type='SubsetSampler', shuffle=True),
    dataset=dict(
        _delete_=True,
        type='MultigridClips',
        schedule=dict(type='MultigridSchedule', until_epoch=160),
        dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = [dict(type='MultigridHook')]
