# The runtime of every distillation config: the default one, plus the
# training time of each epoch (SAKD's scoring and selection included,
# validation excluded) in the log and in <work_dir>/train_time.jsonl, since
# training time is what SAKD trades accuracy for. Keyed `train_time`, so
# that a run can drop it: `--cfg-options default_hooks.train_time=None`.
_base_ = ['../default_runtime.py']

default_hooks = dict(train_time=dict(type='TrainTimeHook'))
