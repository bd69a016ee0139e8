"""Shared helpers of the test suite: tiny synthetic data and tiny configs."""
import os
import os.path as osp
import random
import socket

from mmsakd.datasets.synthetic import SyntheticActionConfig, generate_dataset

REPO_ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..'))
TINY_DATA = SyntheticActionConfig(num_train=24, num_val=10, seed=7)

# Below the ephemeral ports (32768-60999 on Linux) that the kernel hands to
# outgoing and gloo sockets, and away from torchrun's default 29500.
_PORTS = range(20000, 29000)
_GIVEN_PORTS = set()
# Its own generator: the tests' seeded streams stay as they are.
_PORT_RANDOM = random.Random()


def free_port() -> int:
    """A TCP port that is free on this machine now, for a rendezvous.

    A port is free between this call and the bind of the process that uses
    it only if nothing else picks it meanwhile: ports come from outside the
    kernel's ephemeral range, each pytest-xdist worker draws from a slice of
    its own, and a process never hands out the same port twice.
    """
    count = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', 1))
    worker = os.environ.get('PYTEST_XDIST_WORKER', 'gw0')
    width = len(_PORTS) // max(count, 1)
    start = _PORTS.start + int(worker[2:]) % max(count, 1) * width
    ports = list(range(start, start + width))
    _PORT_RANDOM.shuffle(ports)
    for port in ports:
        if port in _GIVEN_PORTS:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(('127.0.0.1', port))
            except OSError:
                continue
        _GIVEN_PORTS.add(port)
        return port
    raise RuntimeError(f'no free port in [{start}, {start + width})')


def make_tiny_dataset(root: str) -> str:
    generate_dataset(root, TINY_DATA)
    return root


def tiny_cfg_options(data_root: str,
                     max_epochs: int = 1,
                     batch_size: int = 4) -> dict:
    """Overrides that make any synthetic config train on ``data_root``
    quickly: small batches, no worker processes, a schedule of
    ``max_epochs``."""
    options = {
        'train_cfg.max_epochs': max_epochs,
        'param_scheduler.0.T_max': max_epochs,
        'param_scheduler.0.end': max_epochs,
        'default_hooks.logger.interval': 1,
        'default_hooks.checkpoint.max_keep_ckpts': -1,
    }
    for split, ann in (('train', 'train.txt'), ('val', 'val.txt'),
                       ('test', 'val.txt')):
        prefix = f'{split}_dataloader'
        options.update({
            f'{prefix}.batch_size':
            batch_size,
            f'{prefix}.num_workers':
            0,
            f'{prefix}.persistent_workers':
            False,
            f'{prefix}.dataset.ann_file':
            osp.join(data_root, ann),
            f'{prefix}.dataset.data_prefix.video':
            osp.join(data_root, 'videos'),
        })
    return options


def make_broken_copy(data_root: str, root) -> dict:
    """Copy the tiny data to ``root`` (a ``pathlib.Path``), truncating the
    video of line 2 of each list and pointing line 4 to a missing file.

    Returns:
        dict: ``{split: {line: file name}}`` of the broken clips.
    """
    import shutil
    shutil.copytree(osp.join(data_root, 'videos'), root / 'videos')
    bad = {}
    for split in ('train', 'val'):
        lines = open(osp.join(data_root, f'{split}.txt')).read().split('\n')
        lines = [line for line in lines if line]
        video = root / 'videos' / lines[1].split()[0]
        data = video.read_bytes()
        video.write_bytes(data[:len(data) // 2])
        lines[3] = f'{split}/gone.mp4 {lines[3].split()[1]}'
        (root / f'{split}.txt').write_text('\n'.join(lines) + '\n')
        bad[split] = {2: lines[1].split()[0], 4: lines[3].split()[0]}
    return bad


def as_cli_options(options: dict) -> list:
    return ['--cfg-options'] + [f'{k}={v}' for k, v in options.items()]


def make_teacher_checkpoint(path: str,
                            config: str = 'configs/_base_/models/'
                            'slowfast_tiny_teacher.py',
                            seed: int = 0) -> str:
    """Save a randomly initialised tiny teacher as an mmengine checkpoint."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmsakd  # noqa: F401
    from mmsakd.registry import MODELS
    init_default_scope('mmsakd')
    torch.manual_seed(seed)
    model = MODELS.build(Config.fromfile(osp.join(REPO_ROOT, config)).model)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path


class TinyDistillData:
    """Class-level fixture of ``RunnerTestCase`` subclasses that train tiny
    distillation configs: the tiny synthetic dataset (``cls.data_root``)
    and a random tiny teacher checkpoint (``cls.teacher_ckpt``) in a
    temporary folder, made once per class."""

    @classmethod
    def setUpClass(cls):
        import tempfile
        super().setUpClass()
        cls._data_dir = tempfile.TemporaryDirectory()
        cls.data_root = make_tiny_dataset(osp.join(cls._data_dir.name, 'data'))
        cls.teacher_ckpt = make_teacher_checkpoint(
            osp.join(cls._data_dir.name, 'teacher.pth'))

    @classmethod
    def tearDownClass(cls):
        cls._data_dir.cleanup()
        super().tearDownClass()


def fake_subset_runner(work_dir: str,
                       num_samples: int,
                       max_epochs: int,
                       seed: int,
                       schedulers=None,
                       **attributes):
    """A stand-in for a Runner, enough for the subset hooks' methods: a
    loader of ``num_samples`` integers with a :class:`SubsetSampler`
    (batches of 4, no shuffle), ``randomness.seed``, a by-epoch cosine
    schedule unless ``schedulers`` are given, and the loop counters at
    epoch 0. ``attributes`` are set on it (e.g. ``model``)."""
    from types import SimpleNamespace

    from mmengine.config import Config
    from torch.utils.data import DataLoader

    from mmsakd.datasets.samplers import SubsetSampler
    dataset = list(range(num_samples))
    loader = DataLoader(
        dataset,
        batch_size=4,
        sampler=SubsetSampler(dataset, shuffle=False, seed=0))
    cfg = Config(
        dict(
            randomness=dict(seed=seed),
            param_scheduler=schedulers or
            [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs)]))
    return SimpleNamespace(
        cfg=cfg,
        train_dataloader=loader,
        train_loop=SimpleNamespace(_max_iters=0),
        epoch=0,
        iter=0,
        max_epochs=max_epochs,
        work_dir=str(work_dir),
        _resume=False,
        **attributes)


def unformatted(cfg):
    """``cfg``, changed in place to log, dump and checkpoint its text
    without formatting it with yapf, which takes much of a tiny run's time
    (MMEngine formats the whole text each time); the text holds the same
    settings. MMEngine 0.10's ``Config.fromfile`` ignores its
    ``format_python_code`` argument for Python configs, so the flag is set
    here."""
    object.__setattr__(cfg, '_format_python_code', False)
    return cfg


def _run_tool_in_process(tool: str, argv: list, work_dir, options: dict):
    """Run ``tools/<tool>.py *argv --work-dir WORK_DIR --cfg-options
    OPTIONS`` as the script does (its argument parsing and merging, then
    the Runner) in this process, with an :func:`unformatted` config and an
    experiment name of its own; ``work_dir`` must hold no other run.

    Returns:
        SimpleNamespace: ``log``, the text of the run's log file, and
        ``output``, what the run wrote to stdout and stderr (the console
        log, and what MMEngine prints, such as the keys a checkpoint does
        not match).
    """
    import glob
    import importlib
    import io
    import uuid
    from contextlib import redirect_stderr, redirect_stdout
    from types import SimpleNamespace

    from mmengine.config import Config

    from mmsakd.utils import build_runner
    module = importlib.import_module(f'mmsakd.tools.{tool}')
    name = osp.splitext(osp.basename(argv[0]))[0]
    options = {**options, 'experiment_name': f'{name}_{uuid.uuid4().hex}'}
    output = io.StringIO()
    try:
        with redirect_stdout(output), redirect_stderr(output):
            args = module.parse_args(
                [*argv, '--work-dir',
                 str(work_dir), *as_cli_options(options)])
            cfg = module.merge_args(
                unformatted(Config.fromfile(args.config)), args)
            runner = build_runner(cfg)
            getattr(runner, 'train' if tool == 'train' else 'test')()
    except BaseException:
        print(output.getvalue()[-6000:])
        raise
    logs = glob.glob(osp.join(str(work_dir), '*', '*.log'))
    assert len(logs) == 1, logs
    with open(logs[0]) as f:
        return SimpleNamespace(log=f.read(), output=output.getvalue())


def train_in_process(config: str, work_dir, options: dict, *extra):
    """Train as ``tools/train.py CONFIG --work-dir WORK_DIR *extra
    --cfg-options OPTIONS`` does, in this process.

    For tests of what a config trains, not of the script's process: it
    saves a subprocess's interpreter start and imports, and the config's
    formatting (:func:`unformatted`). ``work_dir`` must hold no other run.

    Returns:
        SimpleNamespace: The run's ``log`` file text and its ``output``.
    """
    return _run_tool_in_process('train', [osp.join(REPO_ROOT, config), *extra],
                                work_dir, options)


def evaluate_in_process(config: str, checkpoint: str, work_dir, options: dict,
                        *extra):
    """Test ``checkpoint`` as ``tools/test.py CONFIG CHECKPOINT --work-dir
    WORK_DIR *extra --cfg-options OPTIONS`` does, in this process (see
    :func:`train_in_process`).

    Returns:
        SimpleNamespace: The run's ``log`` file text and its ``output``.
    """
    return _run_tool_in_process(
        'test', [osp.join(REPO_ROOT, config),
                 str(checkpoint), *extra], work_dir, options)


def release_workers(runner) -> None:
    """Shut down the persistent workers of ``runner``'s training loader now.

    Left to the garbage collector after their queues, they hold up the next
    run's start by the loader's 5 s shutdown timeout.
    """
    iterator = getattr(runner.train_dataloader, '_iterator', None)
    if iterator is not None:
        iterator._shutdown_workers()
