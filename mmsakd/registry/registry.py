"""The registries of the ``mmsakd`` scope.

Each is a child of MMAction2's registry of the same name, so that a config
with ``default_scope='mmsakd'`` (or a dict that MMEngine tags with
``_scope_='mmsakd'`` when it is inherited through ``mmsakd::...``) builds
the plugin's modules and still finds every MMAction2 and MMEngine module
through the parents.
"""
from mmaction.registry import DATA_SAMPLERS as MMACTION_DATA_SAMPLERS
from mmaction.registry import DATASETS as MMACTION_DATASETS
from mmaction.registry import EVALUATOR as MMACTION_EVALUATOR
from mmaction.registry import FUNCTION as MMACTION_FUNCTION
from mmaction.registry import HOOKS as MMACTION_HOOKS
from mmaction.registry import INFERENCERS as MMACTION_INFERENCERS
from mmaction.registry import LOG_PROCESSORS as MMACTION_LOG_PROCESSORS
from mmaction.registry import LOOPS as MMACTION_LOOPS
from mmaction.registry import METRICS as MMACTION_METRICS
from mmaction.registry import MODEL_WRAPPERS as MMACTION_MODEL_WRAPPERS
from mmaction.registry import MODELS as MMACTION_MODELS
from mmaction.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMACTION_OPTIM_WRAPPER_CONSTRUCTORS
from mmaction.registry import OPTIM_WRAPPERS as MMACTION_OPTIM_WRAPPERS
from mmaction.registry import OPTIMIZERS as MMACTION_OPTIMIZERS
from mmaction.registry import PARAM_SCHEDULERS as MMACTION_PARAM_SCHEDULERS
from mmaction.registry import \
    RUNNER_CONSTRUCTORS as MMACTION_RUNNER_CONSTRUCTORS
from mmaction.registry import RUNNERS as MMACTION_RUNNERS
from mmaction.registry import TASK_UTILS as MMACTION_TASK_UTILS
from mmaction.registry import TRANSFORMS as MMACTION_TRANSFORMS
from mmaction.registry import VISBACKENDS as MMACTION_VISBACKENDS
from mmaction.registry import VISUALIZERS as MMACTION_VISUALIZERS
from mmaction.registry import \
    WEIGHT_INITIALIZERS as MMACTION_WEIGHT_INITIALIZERS
from mmengine.registry import Registry as MMEngineRegistry


class Registry(MMEngineRegistry):
    """A registry that imports its ancestors' modules before its own.

    MMEngine imports the ``locations`` of the registry that a build goes
    through, not of its parents. Without this, a module that MMAction2
    registers lazily (``ActionVisualizer``, its datasets and transforms)
    would not be found from the ``mmsakd`` scope until something imported
    it.

    A registry of the plugin with no subpackage of its own gets the
    package ``mmsakd`` as its location: without any location, MMEngine
    would call ``mmsakd.utils.register_all_modules``, which does not exist.
    """

    def import_from_location(self) -> None:
        if self.parent is not None:
            self.parent.import_from_location()
        super().import_from_location()


RUNNERS = Registry('runner', parent=MMACTION_RUNNERS, locations=['mmsakd'])

RUNNER_CONSTRUCTORS = Registry(
    'runner constructor',
    parent=MMACTION_RUNNER_CONSTRUCTORS,
    locations=['mmsakd'])

LOOPS = Registry('loop', parent=MMACTION_LOOPS, locations=['mmsakd'])

HOOKS = Registry(
    'hook', parent=MMACTION_HOOKS, locations=['mmsakd.engine.hooks'])

DATASETS = Registry(
    'dataset', parent=MMACTION_DATASETS, locations=['mmsakd.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler',
    parent=MMACTION_DATA_SAMPLERS,
    locations=['mmsakd.datasets.samplers'])
TRANSFORMS = Registry(
    'transform',
    parent=MMACTION_TRANSFORMS,
    locations=['mmsakd.datasets.transforms'])

MODELS = Registry('model', parent=MMACTION_MODELS, locations=['mmsakd.models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper',
    parent=MMACTION_MODEL_WRAPPERS,
    locations=['mmsakd.compat'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer',
    parent=MMACTION_WEIGHT_INITIALIZERS,
    locations=['mmsakd.models'])

OPTIMIZERS = Registry(
    'optimizer', parent=MMACTION_OPTIMIZERS, locations=['mmsakd'])

OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMACTION_OPTIM_WRAPPERS, locations=['mmsakd'])

OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMACTION_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['mmsakd'])

PARAM_SCHEDULERS = Registry(
    'parameter scheduler',
    parent=MMACTION_PARAM_SCHEDULERS,
    locations=['mmsakd'])

METRICS = Registry('metric', parent=MMACTION_METRICS, locations=['mmsakd'])

EVALUATOR = Registry(
    'evaluator', parent=MMACTION_EVALUATOR, locations=['mmsakd'])

TASK_UTILS = Registry(
    'task util', parent=MMACTION_TASK_UTILS, locations=['mmsakd.models'])

VISUALIZERS = Registry(
    'visualizer', parent=MMACTION_VISUALIZERS, locations=['mmsakd'])

VISBACKENDS = Registry(
    'vis_backend', parent=MMACTION_VISBACKENDS, locations=['mmsakd'])

LOG_PROCESSORS = Registry(
    'log_processor', parent=MMACTION_LOG_PROCESSORS, locations=['mmsakd'])

INFERENCERS = Registry(
    'inferencer', parent=MMACTION_INFERENCERS, locations=['mmsakd'])

FUNCTION = Registry('function', parent=MMACTION_FUNCTION, locations=['mmsakd'])
