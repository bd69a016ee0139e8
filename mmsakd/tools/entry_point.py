"""What the train and test entry points share: the default work directory
and the run of the Runner that a merged config builds."""
import os.path as osp
from typing import Callable, Optional, Sequence

from mmengine.config import Config

from mmsakd.utils import build_runner, finish_distributed, log_failure


def set_work_dir(cfg: Config, work_dir: Optional[str], config: str) -> None:
    """Set ``cfg.work_dir``: ``work_dir`` (the command line's) if given,
    else the config's own, else ``./work_dirs/<config file name>``.

    Args:
        cfg (Config): The config, modified in place.
        work_dir (str, optional): The ``--work-dir`` option.
        config (str): The path of the config file.
    """
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])


def run(argv: Optional[Sequence[str]], parse_args: Callable,
        merge_args: Callable, mode: str) -> None:
    """Parse ``argv``, merge the options into the config, build its Runner
    and call ``runner.<mode>()``; an exception that ends the run goes to the
    run's log first (:func:`~mmsakd.utils.log_failure`).

    Args:
        argv (Sequence[str], optional): The arguments; None means
            ``sys.argv[1:]``.
        parse_args (Callable): ``argv`` to the parsed options, which name
            the config file as ``config``.
        merge_args (Callable): ``(cfg, args)`` to the merged config.
        mode (str): ``'train'`` or ``'test'``.
    """
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    runner = build_runner(cfg)
    with log_failure(runner):
        getattr(runner, mode)()
    finish_distributed()
