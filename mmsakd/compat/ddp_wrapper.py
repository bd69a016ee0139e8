from mmengine.model import MMDistributedDataParallel
# mmengine's registry, not mmaction's: Runner.wrap_model looks wrappers up
# in mmengine's root registry, which does not search its children.
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class DeviceAwareDistributedDataParallel(MMDistributedDataParallel):
    """MMDistributedDataParallel that also wraps CPU modules.

    mmengine's ``Runner.wrap_model`` always passes
    ``device_ids=[LOCAL_RANK]``, which ``DistributedDataParallel`` rejects for
    a module on the CPU. This wrapper drops ``device_ids`` and
    ``output_device`` when the module's parameters live on the CPU and
    behaves exactly like its parent otherwise. Select it with
    ``model_wrapper_cfg = dict(type='DeviceAwareDistributedDataParallel')``.

    Args:
        module (nn.Module): Model to wrap.
        **kwargs: Passed to :class:`MMDistributedDataParallel`.
    """

    def __init__(self, module, **kwargs) -> None:
        first_param = next(module.parameters(), None)
        if first_param is None or first_param.device.type == 'cpu':
            kwargs.pop('device_ids', None)
            kwargs.pop('output_device', None)
        super().__init__(module=module, **kwargs)
