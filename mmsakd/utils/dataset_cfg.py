"""Reading dataset configs through their wrappers."""


def innermost(dataset_cfg: dict) -> dict:
    """The config of the dataset inside dataset wrappers (such as
    ``SkipBrokenClips`` or ``ReplayAugmentation``), whose pipeline reads the
    clips.

    Args:
        dataset_cfg (dict): A dataset config, possibly of a wrapper.

    Returns:
        dict: The innermost config with a ``pipeline`` (the same object,
        so that changes to it change ``dataset_cfg``).
    """
    while 'pipeline' not in dataset_cfg and isinstance(
            dataset_cfg.get('dataset'), dict):
        dataset_cfg = dataset_cfg['dataset']
    return dataset_cfg
