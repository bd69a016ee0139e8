from .json_lines import append_json_line, iter_json_lines, read_json_lines
from .launcher import (add_launcher_arguments, apply_launcher_defaults,
                       build_runner, finish_distributed, log_failure,
                       parse_launcher_args)
from .rank_errors import raise_on_every_rank

__all__ = [
    'append_json_line', 'iter_json_lines', 'read_json_lines',
    'add_launcher_arguments', 'apply_launcher_defaults', 'build_runner',
    'finish_distributed', 'log_failure', 'parse_launcher_args',
    'raise_on_every_rank'
]
