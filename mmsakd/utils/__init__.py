from .launcher import (add_launcher_arguments, apply_launcher_defaults,
                       build_runner, finish_distributed, log_failure,
                       parse_launcher_args)

__all__ = [
    'add_launcher_arguments', 'apply_launcher_defaults', 'build_runner',
    'finish_distributed', 'log_failure', 'parse_launcher_args'
]
