"""Running experiments: train a config, summarise accuracy and time."""
from .experiment import (add_train_time_hook, markdown_table, point_to_data,
                         release_dataloader_workers, run_experiment,
                         sakd_hook_cfg, set_epochs, summarize_run)

__all__ = [
    'add_train_time_hook', 'markdown_table', 'point_to_data',
    'release_dataloader_workers', 'run_experiment', 'sakd_hook_cfg',
    'set_epochs', 'summarize_run'
]
