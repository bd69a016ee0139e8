# Vanilla KD (Hinton et al.) on Video Swin-S -> Swin-T, UCF101
# (../kd/kd_swin_ucf101.py), with multigrid training
# (docs/method.md#multigrid-kd, ./README.md): the long and short cycles of
# Wu et al. (CVPR 2020) for the first 80 of the 100 epochs, the namesake's
# clip shape and batch for the last 20. Not in the paper.
_base_ = ['../kd/kd_swin_ucf101.py']

train_dataloader = dict(
    # Batches of one clip shape, sized for it.
    batch_sampler=dict(type='MultigridBatchSampler'),
    sampler=dict(type='SubsetSampler', shuffle=True),
    dataset=dict(
        _delete_=True,
        type='MultigridClips',
        schedule=dict(type='MultigridSchedule', until_epoch=80),
        dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = [dict(type='MultigridHook')]
