"""tools/analysis/benchmark_epoch.py on a tiny config, run in this process
with counters on the models: each timed phase must do the work it names
(the clips the teacher and the student see, the optimizer steps) and report
a time between the forward time counted inside it and a clock around it."""
import contextlib
import importlib.util
import io
import json
import math
import os.path as osp
import re
import sys
import time

import pytest
import torch
from helpers import REPO_ROOT

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'benchmark_epoch.py')
# Run on one pytest-xdist worker: the tests share one run of the tool.
pytestmark = pytest.mark.xdist_group('benchmark_epoch')
NUM_CLIPS, TRAIN_BATCH, RATIO, PLUS_RATIO, POOL_FACTOR = 24, 8, 0.1, 0.3, 0.5
TINY_ARGS = [
    '--config', 'configs/synthetic/kd_slowfast_tiny_synthetic.py', '--device',
    'cpu', '--num-clips',
    str(NUM_CLIPS), '--pool', '4', '--clip-len', '8', '--size', '32',
    '--train-batch',
    str(TRAIN_BATCH), '--score-batch', '12', '--num-classes', '10'
]
K = math.ceil(RATIO * NUM_CLIPS)  # 3
PLUS_K = math.ceil(PLUS_RATIO * NUM_CLIPS)  # 8
#: SAKD+ scores pool_factor * k new clips; the last subset reuses losses.
PLUS_SCORED = math.ceil(POOL_FACTOR * PLUS_K)  # 4


def _load_tool(monkeypatch):
    # The tool puts the repository first on sys.path.
    monkeypatch.setattr(sys, 'path', list(sys.path))
    spec = importlib.util.spec_from_file_location('benchmark_epoch_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _count(model, counts):
    """Count the clips each network's classifier sees, the time from each
    backbone call to its classifier's output, and the optimizer steps."""
    for name, net in (('teacher', model.teacher), ('student', model.student)):
        started = []

        def start(module, args, started=started):
            started.append(time.perf_counter())

        def finish(module, args, output, name=name, started=started):
            counts[name] += output.shape[0]
            counts['forward_s'] += time.perf_counter() - started.pop()

        net.backbone.register_forward_pre_hook(start)
        net.cls_head.register_forward_hook(finish)
    train_step = model.train_step

    def counted_step(*args, **kwargs):
        counts['steps'] += 1
        return train_step(*args, **kwargs)

    model.train_step = counted_step


@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp('bench') / 'sub' / 'b.json'
    counts = dict(teacher=0, student=0, steps=0, forward_s=0.)
    phases = []

    def counted_model(*args, **kwargs):
        model = build_model(*args, **kwargs)
        _count(model, counts)
        return model

    def clocked(device, fn, *args):
        before = dict(counts)
        start = time.perf_counter()
        result, seconds = timed(device, fn, *args)
        wall = time.perf_counter() - start
        title = args[-1] if args and isinstance(args[-1], str) else ''
        phase = {key: counts[key] - before[key] for key in counts}
        phases.append(
            dict(phase, name=f'{fn.__name__} {title}'.strip(), wall=wall))
        return result, seconds

    stdout = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, torch.random.fork_rng(
            devices=[]), contextlib.redirect_stdout(stdout):
        tool = _load_tool(patch)
        build_model, timed = tool.build_model, tool.timed
        patch.setattr(tool, 'build_model', counted_model)
        patch.setattr(tool, 'timed', clocked)
        patch.setattr(sys, 'argv', [TOOL, *TINY_ARGS, '--out', str(out)])
        # The tool turns it on; restored on leaving.
        patch.setattr(torch.backends.cudnn, 'benchmark',
                      torch.backends.cudnn.benchmark)
        # One thread, as a benchmark on a shared CPU should run.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            start = time.perf_counter()
            tool.main()
            total = time.perf_counter() - start
        finally:
            torch.set_num_threads(threads)
    with open(out) as f:
        results = json.load(f)
    return dict(
        results=results,
        stdout=stdout.getvalue(),
        phases={p['name']: p
                for p in phases},
        order=[p['name'] for p in phases],
        total=total)


# Timed phase: teacher clips, student clips, optimizer steps.
WORK = {
    'train_epoch vanilla KD': (NUM_CLIPS, NUM_CLIPS, 3),
    # The round: the scoring pass over every clip, then the selection.
    'run_round SAKD': (NUM_CLIPS, NUM_CLIPS, 0),
    'train_epoch SAKD training on the subset': (K, K, 1),
    # The cache holds every clip after the filling epoch: the teacher runs
    # only on the one clip per batch that the cache checks.
    'train_epoch vanilla KD, teacher cache': (3, NUM_CLIPS, 3),
    'run_round SAKD+': (PLUS_SCORED, PLUS_SCORED, 0),
    'train_epoch SAKD+ training on the subset, teacher cache': (1, PLUS_K, 1),
    # Every clip's logits are read from the store: no teacher.
    'train_epoch vanilla KD, teacher-output store': (0, NUM_CLIPS, 3),
}


def test_each_phase_does_the_work_it_names(bench):
    assert bench['order'] == list(WORK)
    for name, (teacher, student, steps) in WORK.items():
        phase = bench['phases'][name]
        assert (phase['teacher'], phase['student'],
                phase['steps']) == (teacher, student, steps), name


def _bounds(bench, *names):
    """The forward time counted in the phases and the clock around them."""
    phases = [bench['phases'][name] for name in names]
    return (sum(p['forward_s'] for p in phases), sum(p['wall']
                                                     for p in phases))


# JSON key: the phases it times.
TIMES = {
    'vanilla_epoch_s': ['train_epoch vanilla KD'],
    # The round times its scoring pass and its selection itself.
    'sakd_score_s': ['run_round SAKD'],
    'sakd_select_s': ['run_round SAKD'],
    'sakd_train_s': ['train_epoch SAKD training on the subset'],
    'sakd_epoch_s':
    ['run_round SAKD', 'train_epoch SAKD training on the subset'],
    'kd_cache_epoch_s': ['train_epoch vanilla KD, teacher cache'],
    'kd_store_epoch_s': ['train_epoch vanilla KD, teacher-output store'],
    'plus_round_s': ['run_round SAKD+'],
    'plus_train_s':
    ['train_epoch SAKD+ training on the subset, teacher cache'],
    'plus_epoch_s': [
        'run_round SAKD+',
        'train_epoch SAKD+ training on the subset, teacher cache'
    ],
}


@pytest.mark.parametrize('key', list(TIMES))
def test_times_lie_between_forward_time_and_outer_clock(bench, key):
    low, high = _bounds(bench, *TIMES[key])
    if key == 'sakd_select_s':
        # No forward in the selection: it fits in the round beside them.
        low, high = 0, high - low
    assert 0 <= low <= bench['results'][key] <= high, (low, high)
    if key != 'sakd_select_s':
        assert low > 0


@pytest.mark.parametrize('ratio, numerator', [
    ('sakd_vs_vanilla', 'sakd_epoch_s'),
    ('kd_cache_vs_vanilla', 'kd_cache_epoch_s'),
    ('kd_store_vs_vanilla', 'kd_store_epoch_s'),
    ('plus_round_vs_vanilla', 'plus_round_s'),
    ('plus_vs_vanilla', 'plus_epoch_s'),
])
def test_ratios_lie_between_the_bounds(bench, ratio, numerator):
    low, high = _bounds(bench, *TIMES[numerator])
    vanilla_low, vanilla_high = _bounds(bench, 'train_epoch vanilla KD')
    assert low / vanilla_high <= bench['results'][ratio] <= \
        high / vanilla_low


def test_interval_5_amortises_the_round(bench):
    # (scoring + selection) / 5 + training, over vanilla.
    round_low, round_high = _bounds(bench, 'run_round SAKD')
    train_low, train_high = _bounds(bench,
                                    'train_epoch SAKD training on the subset')
    vanilla_low, vanilla_high = _bounds(bench, 'train_epoch vanilla KD')
    got = bench['results']['sakd_i5_vs_vanilla']
    assert (round_low / 5 + train_low) / vanilla_high <= got <= \
        (round_high / 5 + train_high) / vanilla_low
    assert got < bench['results']['sakd_vs_vanilla']


def test_phases_fit_in_the_run(bench):
    assert sum(p['wall'] for p in bench['phases'].values()) < bench['total']


def test_json_run_description(bench):
    from mmsakd.selection import interruption_rate
    results = bench['results']
    assert results['num_clips'] == NUM_CLIPS
    assert results['ratio'] == RATIO
    # The clips the student trained on in each subset epoch.
    assert results['subset_size'] == bench['phases'][
        'train_epoch SAKD training on the subset']['student'] == K
    assert results['plus_subset_size'] == PLUS_K
    assert results['clip'] == '8x32x32'
    assert (results['train_batch'], results['score_batch']) == (8, 12)
    assert results['amp'] is False
    assert results['peak_memory_gib'] is None  # CPU
    assert results[
        'config'] == 'configs/synthetic/kd_slowfast_tiny_synthetic.py'
    # Default --epoch 10 of --max-epochs 50.
    assert results['interruption_rate'] == pytest.approx(
        float(interruption_rate(10, 50)))
    assert results['eta'] == 0.5


# Table row: JSON key of its seconds, and the phase whose clips it counts.
ROWS = {
    'vanilla KD epoch':
    ('vanilla_epoch_s', 'student', 'train_epoch vanilla KD'),
    'SAKD scoring (all clips)': ('sakd_score_s', 'teacher', 'run_round SAKD'),
    f'SAKD training ({K} clips)': ('sakd_train_s', 'student',
                                   'train_epoch SAKD training on the subset'),
    'vanilla KD epoch, teacher cache':
    ('kd_cache_epoch_s', 'student', 'train_epoch vanilla KD, teacher cache'),
    'SAKD+ round (pool scoring, selection)': ('plus_round_s', 'teacher',
                                              'run_round SAKD+'),
    f'SAKD+ training ({PLUS_K} clips, cache)':
    ('plus_train_s', 'student',
     'train_epoch SAKD+ training on the subset, teacher cache'),
    'vanilla KD epoch, warm teacher-output store':
    ('kd_store_epoch_s', 'student',
     'train_epoch vanilla KD, teacher-output store'),
}


def test_stdout_table_rates_count_the_clips_processed(bench):
    results = bench['results']
    table = {}
    for line in bench['stdout'].splitlines():
        match = re.fullmatch(r'\| (.+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|',
                             line)
        if match:
            table[match[1]] = [float(v) for v in match.groups()[1:]]
    assert set(ROWS) <= set(table)
    vanilla = results['vanilla_epoch_s']
    for row, (key, net, phase) in ROWS.items():
        seconds, rate, relative = table[row]
        clips = bench['phases'][phase][net]
        assert seconds == pytest.approx(results[key], abs=0.005), row
        assert rate == pytest.approx(clips / results[key], abs=0.05), row
        assert relative == pytest.approx(results[key] / vanilla, abs=5e-4), row
    assert 'wrote ' in bench['stdout']
    # The pool's size, as scored (below pool_factor * k when few clips are
    # left outside the last subset).
    assert results['plus_scored'] == bench['phases']['run_round SAKD+'][
        'teacher']


@pytest.mark.parametrize('args, message', [
    (['--ratio', '0'], '--ratio must be in (0, 1], got 0.0'),
    (['--eta', '1.5'], '--eta must be in (0, 1], got 1.5'),
    (['--pool-factor', '0'], '--pool-factor must be > 0, got 0.0'),
])
def test_bad_arguments_are_rejected(monkeypatch, capsys, args, message):
    tool = _load_tool(monkeypatch)
    monkeypatch.setattr(sys, 'argv', [TOOL, *TINY_ARGS, *args])
    with pytest.raises(SystemExit) as exit_info:
        tool.main()
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
