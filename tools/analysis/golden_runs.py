"""Golden runs: record what SAKD does on tiny runs, and compare two records.

``record`` trains each scenario (``--help`` lists them) on CPU, on tiny
synthetic data made in the output folder, with a fixed seed and one thread
per process, and writes ``OUT_DIR/<scenario>/golden.json`` (settings, each
round's subset, digests) and ``golden.pt`` (the exact values): the
``sakd`` state of every epoch's checkpoint (``omega``, ``alpha``, features,
subset, ...), the final student weights and the round log lines
(``sakd_rounds.jsonl``) without timing fields. Recorded scenarios are
skipped unless ``--force``; a failed run names its log.

``compare`` checks a new record against a golden one, tensors with
``torch.equal`` and the rest with ``==``, prints one row per scenario with
its first difference (where, key, index) and exits with 1 on any. Record
before a refactor, record again after it, compare::

    python tools/analysis/golden_runs.py record work_dirs/golden_before
    python tools/analysis/golden_runs.py record work_dirs/golden_after
    python tools/analysis/golden_runs.py compare work_dirs/golden_before \\
        work_dirs/golden_after
"""
import argparse
import dataclasses
import glob
import hashlib
import json
import os
import os.path as osp
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import List, Optional, Tuple

REPO_ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
sys.path.insert(0, REPO_ROOT)

import torch
from mmengine.hooks import Hook

import mmsakd  # noqa: F401  (compat fixes before mmaction.models)
from mmsakd.datasets.synthetic import (SyntheticActionConfig,
                                       dataset_is_complete, generate_dataset)
from mmsakd.registry import HOOKS

#: The data of every scenario: 24 training and 10 validation clips.
DATA = SyntheticActionConfig(num_train=24, num_val=10, seed=7)
SEED = 0
SAKD_CFG = 'configs/synthetic/sakd_slowfast_tiny_synthetic.py'
SKIP_TEXT = """train_dataloader = dict(
    collate_fn=dict(type='skip_broken_collate'),
    dataset=dict(_delete_=True, type='SkipBrokenClips', max_skip_ratio=0.1,
                 dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = [dict(type='BrokenClipsHook')]
"""
_MISSING = object()


@dataclasses.dataclass
class Scenario:
    """A tiny run of ``config`` for ``epochs``, with the SAKD hook's
    ``ratio`` (None: the config's; 0.25 gives two training batches an
    epoch) and ``hook`` settings, and ``options``. ``text`` is appended to
    a config inheriting ``config``. It runs on ``ranks`` gloo processes;
    ``kill``: SIGKILLed in epoch ``epochs // 2``, then resumed; ``broken``:
    the training list has two unreadable clips. ``same_as`` names an
    uninterrupted scenario that it must equal."""
    name: str
    what: str
    config: str = SAKD_CFG
    epochs: int = 4
    ratio: Optional[float] = 0.25
    hook: dict = dataclasses.field(default_factory=dict)
    options: dict = dataclasses.field(default_factory=dict)
    text: str = ''
    ranks: int = 1
    kill: bool = False
    broken: bool = False
    same_as: Optional[str] = None


SCENARIOS = [
    Scenario('sakd', 'paper SAKD, a round every epoch'),
    Scenario(
        'sakd_i5',
        'paper SAKD, a round every 5 epochs',
        config='configs/synthetic/sakd_i5_slowfast_tiny_synthetic.py',
        epochs=6),
    Scenario('random', "selector='random'", hook=dict(selector='random')),
    Scenario(
        'sakd_plus',
        'SAKD+ preset (warm-up, pool, reused losses, teacher cache)',
        config='configs/sakd_plus/sakd_plus_slowfast_tiny_synthetic.py',
        epochs=5,
        ratio=None),
    Scenario(
        'ratio_schedule',
        'ratio 0.25 -> 0.5, cosine',
        hook=dict(ratio_end=0.5, ratio_shape='cosine')),
    Scenario(
        'skipped_clips',
        '2 unreadable training clips skipped, a warm-up epoch, 1 worker',
        hook=dict(warmup_epochs=1),
        options={'train_dataloader.num_workers': 1},
        text=SKIP_TEXT,
        broken=True),
    Scenario('two_ranks', 'paper SAKD on 2 gloo ranks', ranks=2),
    Scenario(
        'kill_resume',
        'paper SAKD, SIGKILL mid-run, --resume',
        kill=True,
        same_as='sakd'),
]
BY_NAME = {s.name: s for s in SCENARIOS}


@HOOKS.register_module(force=True)
class GoldenRunKillHook(Hook):
    """SIGKILL the training process after iteration ``iteration`` of epoch
    ``epoch`` (both from 0), as a preempted job ends, unless ``marker``
    exists; it writes ``marker`` first, so that the resumed run goes on."""

    # After every other hook has seen the iteration.
    priority = 'LOWEST'

    def __init__(self, epoch: int, iteration: int, marker: str) -> None:
        self.epoch, self.iteration, self.marker = epoch, iteration, marker

    def after_train_iter(self, runner, batch_idx: int, **kwargs) -> None:
        if (runner.epoch == self.epoch and batch_idx == self.iteration
                and not osp.exists(self.marker)):
            with open(self.marker, 'w') as f:
                f.write('killed\n')
            os.kill(os.getpid(), signal.SIGKILL)


def is_timing(key: str) -> bool:
    """Whether a log field is a duration (``*_time``, seconds), which two
    identical runs do not share."""
    return key == 'time' or key.endswith(('_time', '_s', '_sec', '_seconds'))


def _digest(value) -> str:
    sha = hashlib.sha1()
    if isinstance(value, dict):
        for key in sorted(value):
            sha.update(f'{key}:{_digest(value[key])};'.encode())
    elif isinstance(value, torch.Tensor):
        value = value.detach().cpu().contiguous()
        sha.update(f'{value.dtype}{tuple(value.shape)}'.encode())
        sha.update(value.reshape(-1).view(torch.uint8).numpy().tobytes())
    else:
        sha.update(
            value if isinstance(value, bytes) else json.
            dumps(value, sort_keys=True).encode())
    return sha.hexdigest()[:16]


def prepare_inputs(out_dir: str) -> dict:
    """Make (once) the tiny data, a copy whose training list has two
    unreadable clips (line 2 truncated, line 4 missing) and a random tiny
    teacher; return their digests."""
    data, broken = osp.join(out_dir, 'data'), osp.join(out_dir, 'broken')
    if not dataset_is_complete(data, DATA):
        generate_dataset(data, DATA)
    if not osp.isfile(osp.join(broken, 'train.txt')):
        shutil.rmtree(broken, ignore_errors=True)
        shutil.copytree(osp.join(data, 'videos'), osp.join(broken, 'videos'))
        with open(osp.join(data, 'train.txt')) as f:
            lines = f.read().splitlines()
        video = osp.join(broken, 'videos', lines[1].split()[0])
        with open(video, 'rb') as f:
            head = f.read()
        with open(video, 'wb') as f:
            f.write(head[:len(head) // 2])
        lines[3] = f'train/gone.mp4 {lines[3].split()[1]}'
        with open(osp.join(broken, 'train.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    teacher = osp.join(out_dir, 'teacher.pth')
    if not osp.isfile(teacher):
        from mmengine.config import Config
        from mmengine.logging import MMLogger
        from mmengine.registry import init_default_scope

        from mmsakd.registry import MODELS
        init_default_scope('mmsakd')
        # Quiet: the current logger reports every initialised layer.
        MMLogger.get_instance('golden_runs', log_level='WARNING')
        torch.manual_seed(SEED)
        model = MODELS.build(
            Config.fromfile(
                osp.join(REPO_ROOT, 'configs/_base_/models/'
                         'slowfast_tiny_teacher.py')).model)
        model.init_weights()
        torch.save(dict(state_dict=model.state_dict()), teacher + '.tmp')
        os.replace(teacher + '.tmp', teacher)
    digests = dict(teacher=_digest(torch.load(teacher)['state_dict']))
    # The clips and the lists; meta.json also holds the generator's
    # settings, which may gain fields without changing a clip.
    for path in sorted(
            glob.glob(osp.join(data, '**', '*.*'), recursive=True) +
            glob.glob(osp.join(broken, '**', '*.*'), recursive=True)):
        if not path.endswith('meta.json'):
            with open(path, 'rb') as f:
                digests[osp.relpath(path, out_dir)] = _digest(f.read())
    return digests


def settings(scenario: Scenario, epochs: Optional[int] = None) -> dict:
    """What a scenario trains; ``{out}`` stands for the output folder."""
    epochs = epochs or scenario.epochs
    train = 'train_dataloader.dataset' + ('.dataset' * scenario.broken)
    train_root = '{out}/broken' if scenario.broken else '{out}/data'
    options = {
        'train_cfg.max_epochs': epochs,
        'param_scheduler.0.T_max': epochs,
        'param_scheduler.0.end': epochs,
        'default_hooks.logger.interval': 1,
        'default_hooks.checkpoint.max_keep_ckpts': -1,
        'model.teacher_ckpt': '{out}/teacher.pth',
        f'{train}.ann_file': f'{train_root}/train.txt',
        f'{train}.data_prefix.video': f'{train_root}/videos',
    }
    for split in ('train', 'val', 'test'):
        options.update({
            f'{split}_dataloader.{key}': value
            for key, value in (('batch_size', 4), ('num_workers', 0),
                               ('persistent_workers', False))
        })
    for split in ('val', 'test'):
        options[f'{split}_dataloader.dataset.ann_file'] = '{out}/data/val.txt'
        options[f'{split}_dataloader.dataset.data_prefix.video'] = \
            '{out}/data/videos'
    hook = dict(score_batch_size=8, **scenario.hook)
    if scenario.ratio is not None:
        hook['ratio'] = scenario.ratio
    options.update({f'default_hooks.sakd.{k}': v for k, v in hook.items()})
    options.update(scenario.options)
    return dict(
        config=scenario.config,
        epochs=epochs,
        options=options,
        text=scenario.text,
        ranks=scenario.ranks,
        kill_epoch=epochs // 2 if scenario.kill else None)


def run_scenario(scenario: Scenario, folder: str, out_dir: str,
                 epochs: Optional[int]) -> str:
    """Train ``scenario`` into ``folder/work``, its output in
    ``folder/train.log``; return the work dir. Raises RuntimeError naming
    the scenario and the log if a run fails."""
    conf = settings(scenario, epochs)
    work, log = osp.join(folder, 'work'), osp.join(folder, 'train.log')
    text = f"_base_ = ['{osp.join(REPO_ROOT, conf['config'])}']\n"
    text += conf['text']
    if conf['kill_epoch'] is not None:
        marker = osp.join(folder, 'killed.marker')
        text += ("custom_imports = dict(imports=['mmsakd', 'golden_runs'])\n"
                 "custom_hooks = [dict(type='GoldenRunKillHook', "
                 f"epoch={conf['kill_epoch']}, iteration=0, "
                 f'marker={marker!r})]\n')
    config = osp.join(folder, 'config.py')
    with open(config, 'w') as f:
        f.write(text)
    args = [config, '--work-dir', work, '--seed', str(SEED), '--cfg-options']
    args += [
        f'{k}={v}'.replace('{out}', out_dir)
        for k, v in conf['options'].items()
    ]
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = str(sock.getsockname()[1])
    # One thread per process: sums that do not depend on the cores.
    env = dict(
        os.environ,
        OMP_NUM_THREADS='1',
        MKL_NUM_THREADS='1',
        PYTHONHASHSEED='0',
        PYTHON=sys.executable,
        PORT=port,
        PYTHONPATH=os.pathsep.join([
            REPO_ROOT,
            osp.dirname(osp.abspath(__file__)),
            os.environ.get('PYTHONPATH', '')
        ]))
    train = [sys.executable, '-W', 'ignore', 'tools/train.py'] + args
    runs = [(train, 0)]
    if conf['ranks'] > 1:
        runs = [(['bash', 'tools/dist_train.sh', config,
                  str(conf['ranks'])] + args[1:], 0)]
    elif conf['kill_epoch'] is not None:
        runs = [(train, -signal.SIGKILL), (train + ['--resume'], 0)]
    with open(log, 'w') as f:
        for cmd, expected in runs:
            f.write('$ ' + ' '.join(cmd) + '\n')
            f.flush()
            code = subprocess.run(
                cmd,
                cwd=REPO_ROOT,
                env=env,
                stdout=f,
                stderr=subprocess.STDOUT).returncode
            if code != expected:
                tool = next(c for c in cmd if c.startswith('tools/'))
                raise RuntimeError(
                    f'scenario {scenario.name}: {tool} exited with '
                    f'{code}, expected {expected}; see {log}')
    return work


def _relative(value, root: str):
    """``value`` with the folder ``root`` written ``{out}`` in its texts."""
    if not root:
        return value
    if isinstance(value, str):
        return value.replace(root, '{out}')
    if isinstance(value, dict):
        return {k: _relative(v, root) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_relative(v, root) for v in value)
    return value


def extract(work_dir: str, root: Optional[str] = None) -> dict:
    """What a record keeps of a work dir: the round log lines without
    timing fields, the last record of each round (a resumed run logs the
    round it re-runs again), the ``sakd`` state and the skipped clips of
    every ``epoch_<n>.pth``, and the final student's weights. The folder
    ``root`` reads ``{out}`` in the texts (the skipped clips' reasons)."""
    with open(osp.join(work_dir, 'sakd_rounds.jsonl')) as f:
        lines = [{
            k: v
            for k, v in json.loads(line).items() if not is_timing(k)
        } for line in f if line.strip()]
    rounds: List[dict] = []
    for line in lines:
        rounds = [r for r in rounds if r['round'] < line['round']] + [line]
    states, student = {}, None
    paths = glob.glob(osp.join(work_dir, 'epoch_*.pth'))
    for path in sorted(paths, key=lambda p: int(p[p.rindex('_') + 1:-4])):
        ckpt = torch.load(path, map_location='cpu', weights_only=False)
        states[osp.basename(path)] = dict(
            sakd=ckpt.get('sakd'),
            skipped_clips=_relative(ckpt.get('skipped_clips'), root))
        student = {
            k[len('student.'):]: v
            for k, v in ckpt['state_dict'].items() if k.startswith('student.')
        }
    return dict(lines=lines, rounds=rounds, states=states, student=student)


def items(data: dict, with_lines: bool = True) -> List[Tuple[str, object]]:
    """A record as ``(where, value)`` pairs, in the order of the run."""
    found = [(r['epoch'], 0, f"round {r['round']} log (epoch {r['epoch']})", r)
             for r in data['rounds']]
    for name, state in data['states'].items():
        rounds = (state['sakd'] or {}).get('rounds')
        found.append((int(name[6:-4]) - 1, 1,
                      f'{name} sakd state (after round {rounds})', state))
    pairs = [('inputs', data['inputs'])]
    pairs += [(where, value)
              for *_, where, value in sorted(found, key=lambda x: x[:2])]
    pairs.append(('final student', data['student']))
    if with_lines:
        pairs.append(('round log lines', data['lines']))
    return pairs


def first_difference(a, b, path: str = '') -> Optional[str]:
    """Where ``a`` and ``b`` first differ (``key[index]: a != b``), or
    None if they are equal; tensors are equal under ``torch.equal``."""
    at = path or 'value'
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.dtype != b.dtype or a.shape != b.shape:
            return (f'{at}: {a.dtype}{list(a.shape)} != '
                    f'{b.dtype}{list(b.shape)}')
        if torch.equal(a, b):
            return None
        flat = int((a != b).flatten().nonzero()[0])
        index = [
            int(i) for i in torch.unravel_index(torch.tensor(flat), a.shape)
        ]
        return (f'{at}{index}: {a.flatten()[flat].item()!r} != '
                f'{b.flatten()[flat].item()!r}')
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            where = f'{path}.{key}' if path else str(key)
            if key not in b or key not in a:
                return f'{where}: only in {"golden" if key in a else "new"}'
            found = first_difference(a[key], b[key], where)
            if found:
                return found
        return None
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f'{path}[{i}]')
            if found:
                return found
        return None if len(a) == len(b) else (
            f'{at}: length {len(a)} != {len(b)}')
    if type(a) is not type(b) or a != b:
        texts = [repr(v) for v in (a, b)]
        return f'{at}: ' + ' != '.join(
            t if len(t) <= 60 else t[:57] + '...' for t in texts)
    return None


def compare_data(golden: dict,
                 new: dict,
                 with_lines: bool = True) -> Tuple[int, int, Optional[str]]:
    """``(differing items, items, first difference)`` of two records."""
    ours = dict(items(new, with_lines))
    pairs = [(where, value, ours.pop(where, _MISSING))
             for where, value in items(golden, with_lines)]
    pairs += [(where, _MISSING, value) for where, value in ours.items()]
    first, bad = None, 0
    for where, value, other in pairs:
        if other is _MISSING or value is _MISSING:
            found = 'missing in new' if other is _MISSING else 'only in new'
        else:
            found = first_difference(value, other)
        if found:
            bad += 1
            first = first or f'{where}: {found}'
    return bad, len(pairs), first


def _load(folder: str) -> Tuple[dict, dict]:
    with open(osp.join(folder, 'golden.json')) as f:
        summary = json.load(f)
    return summary, torch.load(
        osp.join(folder, 'golden.pt'), weights_only=False)


def _git(*args) -> str:
    result = subprocess.run(['git', *args],
                            cwd=REPO_ROOT,
                            capture_output=True,
                            text=True)
    return result.stdout.strip() if result.returncode == 0 else ''


def record(out_dir: str,
           only: Optional[List[str]] = None,
           force: bool = False,
           epochs: Optional[int] = None,
           keep_checkpoints: bool = False) -> List[str]:
    """Record the scenarios (``only`` those) into ``out_dir``, those done
    already again only if ``force``; return the names of those that
    failed."""
    out_dir = osp.abspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    inputs = prepare_inputs(out_dir)
    meta = dict(
        commit=_git('rev-parse', 'HEAD'),
        dirty=bool(_git('status', '--porcelain', '--untracked-files=no')),
        torch=torch.__version__,
        python=sys.version.split()[0])
    chosen = [s for s in SCENARIOS if only is None or s.name in only]
    failed = []
    for i, scenario in enumerate(chosen, 1):
        folder = osp.join(out_dir, scenario.name)
        head = f'[{i}/{len(chosen)}] {scenario.name} ({scenario.what})'
        if osp.isfile(osp.join(folder, 'golden.json')) and not force:
            print(f'{head}: recorded already (--force records it again)')
            continue
        print(f'{head}: training ...', flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        start = time.time()
        try:
            work = run_scenario(scenario, folder, out_dir, epochs)
        except RuntimeError as error:
            print(f'{head}: FAILED: {error}', flush=True)
            failed.append(scenario.name)
            continue
        seconds = round(time.time() - start, 1)
        data = dict(extract(work, out_dir), inputs=inputs)
        summary = dict(
            scenario=scenario.name,
            what=scenario.what,
            settings=settings(scenario, epochs),
            run_seconds=seconds,
            meta=meta,
            rounds=[
                dict(round=r['round'], epoch=r['epoch'], subset=r['selected'])
                for r in data['rounds']
            ],
            digests=dict(
                states={
                    k: _digest(v['sakd'])
                    for k, v in data['states'].items()
                },
                student=_digest(data['student'])),
            inputs=inputs,
            lines=data['lines'])
        reference = osp.join(out_dir, str(scenario.same_as), 'golden.pt')
        if scenario.same_as and osp.isfile(reference):
            _, _, found = compare_data(
                torch.load(reference, weights_only=False),
                data,
                with_lines=False)
            summary[f'same_as_{scenario.same_as}'] = found or True
            print(f'{head}: the same as {scenario.same_as}: '
                  f'{"NO, " + found if found else "yes"}')
        torch.save(data, osp.join(folder, 'golden.pt'))
        with open(osp.join(folder, 'golden.json.tmp'), 'w') as f:
            json.dump(summary, f, indent=1)
        # Written last: a record is complete once golden.json exists.
        os.replace(
            osp.join(folder, 'golden.json.tmp'),
            osp.join(folder, 'golden.json'))
        if not keep_checkpoints:
            for path in glob.glob(osp.join(work, '*.pth')):
                os.remove(path)
        print(f'{head}: {len(data["rounds"])} rounds, {seconds} s', flush=True)
    return failed


def compare(golden_dir: str,
            new_dir: str,
            ignore: Tuple[str, ...] = (),
            only: Optional[List[str]] = None) -> Tuple[bool, List[tuple]]:
    """Compare each scenario recorded in ``golden_dir`` (``only`` those)
    with ``new_dir``, leaving out the round log fields ``ignore``. Returns
    whether all are equal and the rows ``(scenario, result, items, first
    difference)``."""
    order = {s.name: i for i, s in enumerate(SCENARIOS)}
    names = sorted(
        (osp.basename(osp.dirname(p))
         for p in glob.glob(osp.join(golden_dir, '*', 'golden.json'))
         if only is None or osp.basename(osp.dirname(p)) in only),
        key=lambda n: (order.get(n, len(order)), n))
    rows = [] if names else [(golden_dir, 'FAIL', '-', 'no golden.json')]
    for name in names:
        summary, golden = _load(osp.join(golden_dir, name))
        if not osp.isfile(osp.join(new_dir, name, 'golden.json')):
            rows.append((name, 'FAIL', '-', f'not recorded in {new_dir}'))
            continue
        new_summary, new = _load(osp.join(new_dir, name))
        found = first_difference(summary['settings'], new_summary['settings'],
                                 'settings')
        if found:
            rows.append((name, 'FAIL', '-', f'recorded with other {found}'))
            continue
        for data in (golden, new):
            for key in ('lines', 'rounds'):
                data[key] = [{
                    k: v
                    for k, v in r.items() if k not in ignore
                } for r in data[key]]
        pairs = [(name, golden, True)]
        same_as = getattr(BY_NAME.get(name), 'same_as', None)
        if same_as and osp.isfile(osp.join(new_dir, same_as, 'golden.pt')):
            # Lines differ: the resumed run logs a round twice.
            pairs.append((f'{name} = {same_as} (new)',
                          _load(osp.join(new_dir, same_as))[1], False))
        for label, reference, with_lines in pairs:
            bad, total, first = compare_data(reference, new, with_lines)
            rows.append((label, 'FAIL' if bad else 'PASS',
                         f'{bad}/{total}' if bad else str(total), first or ''))
    return all(row[1] == 'PASS' for row in rows), rows


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='scenarios:\n' + '\n'.join(f'  {s.name:16}{s.what}'
                                          for s in SCENARIOS))
    commands = parser.add_subparsers(dest='command', required=True)
    rec = commands.add_parser('record', help='train and record scenarios')
    rec.add_argument('out_dir', help='where the data, runs and records go')
    rec.add_argument('--only', help='comma-separated scenarios')
    rec.add_argument(
        '--force', action='store_true', help='record again what exists')
    rec.add_argument(
        '--epochs', type=int, help='epochs of every scenario (a quick check)')
    rec.add_argument(
        '--keep-checkpoints',
        action='store_true',
        help='keep the checkpoints of the runs (removed once recorded)')
    cmp = commands.add_parser('compare', help='compare two records')
    cmp.add_argument('golden_dir')
    cmp.add_argument('new_dir')
    cmp.add_argument('--only', help='comma-separated scenarios')
    cmp.add_argument(
        '--ignore',
        default='',
        help='comma-separated round log fields to leave out (e.g. one that '
        'the new code adds)')
    args = parser.parse_args(argv)
    if args.only is not None:
        args.only = [n.strip() for n in args.only.split(',') if n.strip()]
        unknown = [n for n in args.only if n not in BY_NAME]
        if unknown or not args.only:
            parser.error(f'--only: unknown scenario(s) {unknown}; choose '
                         f'from {", ".join(BY_NAME)}')
    if args.command == 'record':
        if args.epochs is not None and args.epochs < 2:
            parser.error(f'--epochs must be an integer >= 2, got '
                         f'{args.epochs}')
    else:
        args.ignore = tuple(k for k in args.ignore.split(',') if k)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.command == 'record':
        failed = record(args.out_dir, args.only, args.force, args.epochs,
                        args.keep_checkpoints)
        if failed:
            print(f'failed: {", ".join(failed)}')
        return int(bool(failed))
    same, rows = compare(args.golden_dir, args.new_dir, args.ignore, args.only)
    width = max(len(row[0]) for row in rows)
    print(f'{"scenario":{width}}  result  items  first difference')
    for name, result, count, first in rows:
        print(f'{name:{width}}  {result:6}  {count:>5}  {first}')
    print('all equal' if same else 'DIFFERENCES FOUND')
    return 0 if same else 1


if __name__ == '__main__':
    sys.exit(main())
