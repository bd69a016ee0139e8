default_scope = 'mmsakd'
custom_imports = dict(imports=['mmsakd'], allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', interval=1, max_keep_ckpts=2, save_best='auto'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'),
    # Resumed runs continue with the random state of the interrupted one.
    # Keyed here (MMEngine registers extra default_hooks keys too) so that
    # no config repeats it; SAKD configs add `sakd` the same way.
    random_state=dict(type='RandomStateHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # On a machine without CUDA, `import mmsakd` switches nccl to gloo.
    dist_cfg=dict(backend='nccl'))
# DDP that also wraps CPU modules (mmengine passes GPU device_ids otherwise).
model_wrapper_cfg = dict(type='DeviceAwareDistributedDataParallel')

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)
