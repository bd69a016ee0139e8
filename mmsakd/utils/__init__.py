from .json_lines import append_json_line, iter_json_lines, read_json_lines
from .launcher import (add_launcher_arguments, apply_launcher_defaults,
                       build_runner, finish_distributed, log_failure,
                       parse_launcher_args)
from .logs import (read_group_subset_rounds, read_infobatch_epochs,
                   read_random_subset_rounds, read_results, read_run_result,
                   read_sakd_rounds, read_train_time)
from .rank_errors import raise_on_every_rank

__all__ = [
    'append_json_line', 'iter_json_lines', 'read_json_lines',
    'add_launcher_arguments', 'apply_launcher_defaults', 'build_runner',
    'finish_distributed', 'log_failure', 'parse_launcher_args',
    'raise_on_every_rank', 'read_group_subset_rounds', 'read_infobatch_epochs',
    'read_random_subset_rounds', 'read_results', 'read_run_result',
    'read_sakd_rounds', 'read_train_time'
]
