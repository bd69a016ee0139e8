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


def _child(parent: MMEngineRegistry, location: str = 'mmsakd') -> Registry:
    """The ``mmsakd`` child of an MMAction2 registry, named like it, whose
    modules are imported from ``location``."""
    return Registry(parent.name, parent=parent, locations=[location])


RUNNERS = _child(MMACTION_RUNNERS)
RUNNER_CONSTRUCTORS = _child(MMACTION_RUNNER_CONSTRUCTORS)
LOOPS = _child(MMACTION_LOOPS)
HOOKS = _child(MMACTION_HOOKS, 'mmsakd.engine.hooks')
DATASETS = _child(MMACTION_DATASETS, 'mmsakd.datasets')
DATA_SAMPLERS = _child(MMACTION_DATA_SAMPLERS, 'mmsakd.datasets.samplers')
TRANSFORMS = _child(MMACTION_TRANSFORMS, 'mmsakd.datasets.transforms')
MODELS = _child(MMACTION_MODELS, 'mmsakd.models')
MODEL_WRAPPERS = _child(MMACTION_MODEL_WRAPPERS, 'mmsakd.compat')
WEIGHT_INITIALIZERS = _child(MMACTION_WEIGHT_INITIALIZERS, 'mmsakd.models')
OPTIMIZERS = _child(MMACTION_OPTIMIZERS)
OPTIM_WRAPPERS = _child(MMACTION_OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _child(MMACTION_OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _child(MMACTION_PARAM_SCHEDULERS)
METRICS = _child(MMACTION_METRICS)
EVALUATOR = _child(MMACTION_EVALUATOR)
TASK_UTILS = _child(MMACTION_TASK_UTILS, 'mmsakd.models')
VISUALIZERS = _child(MMACTION_VISUALIZERS)
VISBACKENDS = _child(MMACTION_VISBACKENDS)
LOG_PROCESSORS = _child(MMACTION_LOG_PROCESSORS)
INFERENCERS = _child(MMACTION_INFERENCERS)
FUNCTION = _child(MMACTION_FUNCTION)
