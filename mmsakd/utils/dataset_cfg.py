"""Reading dataset configs through their wrappers."""


def wrapper_chain(dataset_cfg: dict) -> list:
    """The configs of a chain of dataset wrappers (such as
    ``SkipBrokenClips`` or ``ReplayAugmentation``), the outermost first,
    down to the dataset whose pipeline reads the clips.

    Args:
        dataset_cfg (dict): A dataset config, possibly of a wrapper.

    Returns:
        list[dict]: The configs (the same objects, so that changes to them
        change ``dataset_cfg``).
    """
    chain = [dataset_cfg]
    while 'pipeline' not in chain[-1] and isinstance(chain[-1].get('dataset'),
                                                     dict):
        chain.append(chain[-1]['dataset'])
    return chain


def innermost(dataset_cfg: dict) -> dict:
    """The config of the dataset inside dataset wrappers
    (:func:`wrapper_chain`), whose pipeline reads the clips.

    Args:
        dataset_cfg (dict): A dataset config, possibly of a wrapper.

    Returns:
        dict: The innermost config with a ``pipeline`` (the same object,
        so that changes to it change ``dataset_cfg``).
    """
    return wrapper_chain(dataset_cfg)[-1]


def wrapper_types(dataset_cfg: dict) -> list:
    """The ``type`` of every dataset in a chain of dataset wrappers, the
    outermost first.

    Args:
        dataset_cfg (dict): A dataset config, possibly of a wrapper.

    Returns:
        list: The types, ending with the innermost dataset's.
    """
    return [cfg.get('type') for cfg in wrapper_chain(dataset_cfg)]


def replay_training_views(cfg, seed: int = 0) -> None:
    """Wrap the training set of ``cfg`` in ``ReplayAugmentation`` and add
    its ``ReplayAugmentationHook``, unless it has them already.

    The random pipeline of each training clip then depends only on
    (``seed``, epoch, index): a resumed run draws the views the
    uninterrupted one would have drawn, which the workers' own generators
    do not give, and runs of any seed see the same views. The wrapper goes
    outermost, inside ``SkipBrokenClips`` (whose hook expects it
    outermost).

    Args:
        cfg (Config): A training config, changed in place.
        seed (int): The augmentation seed of a new wrapper. Defaults to 0.
    """
    loader = cfg.train_dataloader
    if 'ReplayAugmentation' not in wrapper_types(loader.dataset):
        parent, key = loader, 'dataset'
        if loader.dataset.get('type') == 'SkipBrokenClips':
            parent = loader.dataset
        parent[key] = dict(
            type='ReplayAugmentation', seed=seed, dataset=parent[key])
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(h.get('type') == 'ReplayAugmentationHook' for h in hooks):
        cfg.custom_hooks = hooks + [dict(type='ReplayAugmentationHook')]
