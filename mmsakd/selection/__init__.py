"""The SAKD selection engine: interruption, per-sample scores, criteria and
greedy DPP, as pure functions on tensors."""
from .checks import (as_fraction, check_bool, check_choice, check_file_name,
                     check_int, check_range)
from .criteria import CRITERIA, easiness_criterion, random_criterion
from .difficulty import (check_finite, easiness, normalize_easiness,
                         selection_probability, update_strength)
from .dpp import greedy_dpp_map
from .features import (fuse_features, gaussian_projection, pool_features,
                       project_features)
from .group_subsets import (expected_random_coverage, groups_covered,
                            spread_over_groups)
from .interruption import (LAYOUTS, STREAMS, InterruptionPlan,
                           apply_interruption_plan, interrupt_batch,
                           make_generator, plan_interruption)
from .partition import allocate_counts, partition_blocks
from .pool import candidate_pool
from .round import (DIVERSITY, SELECTORS, RoundSettings, pool_round,
                    select_subset, selection_round, subset_size,
                    update_and_select)
from .schedule import (RATIO_SHAPES, interruption_rate, num_interrupted,
                       round_ratio)
from .select import (quality_temperature, select_samples, selection_objective,
                     top_k)

__all__ = [
    'interruption_rate', 'num_interrupted', 'make_generator', 'STREAMS',
    'InterruptionPlan', 'plan_interruption', 'apply_interruption_plan',
    'interrupt_batch', 'LAYOUTS', 'check_finite', 'selection_probability',
    'easiness', 'normalize_easiness', 'update_strength', 'pool_features',
    'gaussian_projection', 'project_features', 'fuse_features',
    'greedy_dpp_map', 'allocate_counts', 'partition_blocks',
    'quality_temperature', 'select_samples', 'selection_objective', 'top_k',
    'CRITERIA', 'easiness_criterion', 'random_criterion', 'DIVERSITY',
    'SELECTORS', 'RoundSettings', 'select_subset', 'selection_round',
    'subset_size', 'check_range', 'check_int', 'check_choice', 'check_bool',
    'check_file_name', 'as_fraction', 'candidate_pool', 'pool_round',
    'update_and_select', 'round_ratio', 'RATIO_SHAPES', 'groups_covered',
    'expected_random_coverage', 'spread_over_groups'
]
