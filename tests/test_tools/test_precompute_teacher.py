"""tools/precompute_teacher.py on a tiny config with a replayed random
crop: one pass fills every view, a second writes nothing, a pass over a
half-filled store writes the other half, and a training run afterwards
reads every clip; configs without a store and bad options are refused."""
import glob
import json
import os.path as osp
import runpy
import sys
import uuid
from types import SimpleNamespace

import pytest
import torch
from helpers import (REPO_ROOT, as_cli_options, make_teacher_checkpoint,
                     tiny_cfg_options, train_in_process, unformatted)
from mmengine.config import Config

from mmsakd.models.utils import TeacherOutputStore
from mmsakd.tools import precompute_teacher as tool

pytestmark = pytest.mark.xdist_group('precompute_teacher')

KD_CFG = osp.join(REPO_ROOT, 'configs/synthetic/kd_slowfast_tiny_synthetic.py')
NUM_CLIPS = 4  # of the tiny training set, one batch
EPOCHS = 2  # and views
CLIP_VIEWS = NUM_CLIPS * EPOCHS
# The tiny synthetic training pipeline with a random crop, replayed.
CONFIG = '''_base_ = [{base!r}]
meta_keys = ('img_shape', 'img_key', 'video_id', 'timestamp', 'sample_idx')
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ReplayAugmentation',
        seed=0,
        dataset=dict(
            type='VideoDataset',
            ann_file={data_root!r} + '/train.txt',
            data_prefix=dict(video={data_root!r} + '/videos'),
            indices={num_clips},
            pipeline=[
                dict(type='DecordInit'),
                dict(type='SampleFrames', clip_len=16, frame_interval=1,
                     num_clips=1),
                dict(type='DecordDecode'),
                dict(type='RandomResizedCrop', area_range=(0.5, 1.0)),
                dict(type='Resize', scale=(32, 32), keep_ratio=False),
                dict(type='FormatShape', input_format='NCTHW'),
                dict(type='PackActionInputs', meta_keys=meta_keys),
            ])))
# Every stored clip checked before each epoch, at float32 precision.
custom_hooks = [
    dict(type='ReplayAugmentationHook'),
    dict(type='TeacherStoreHook', root={root!r}, dtype='float32',
         num_checks={num_clips}, atol=1e-4, rtol=1e-4),
]
model = dict(teacher_ckpt={teacher_ckpt!r})
randomness = dict(seed=3)
'''


@pytest.fixture(scope='module')
def setup(tiny_data_root, tmp_path_factory):
    """The config file, the options of its training run and of the pass
    (which has no validation), and the store root (read only)."""
    root = tmp_path_factory.mktemp('precompute')
    teacher_ckpt = make_teacher_checkpoint(str(root / 'teacher.pth'))
    config = root / 'kd_store.py'
    config.write_text(
        CONFIG.format(
            base=KD_CFG,
            data_root=tiny_data_root,
            num_clips=NUM_CLIPS,
            root=str(root / 'stores'),
            teacher_ckpt=teacher_ckpt))
    options = {
        key: value
        for key, value in tiny_cfg_options(tiny_data_root,
                                           max_epochs=EPOCHS).items()
        if not key.startswith('train_dataloader.dataset.')
    }
    options['train_cfg.val_begin'] = EPOCHS + 1
    tool_options = {
        key: value
        for key, value in options.items()
        if not key.startswith('val_dataloader.')
    }
    return SimpleNamespace(
        config=str(config),
        options=options,
        tool_options=tool_options,
        root=root)


def _precompute(config, work_dir, options, *extra):
    """Run ``tools/precompute_teacher.py CONFIG --work-dir WORK_DIR *extra
    --cfg-options OPTIONS`` in this process.

    Returns:
        SimpleNamespace: ``written``, what the pass wrote, and ``log``, the
        text of its log file.
    """
    written = []
    options = {**options, 'experiment_name': f'precompute_{uuid.uuid4().hex}'}
    with pytest.MonkeyPatch.context() as patch:
        fill_store = tool.fill_store
        patch.setattr(
            tool, 'fill_store',
            lambda *args: written.append(fill_store(*args)) or written[-1])
        patch.setattr(
            tool, 'Config',
            SimpleNamespace(
                fromfile=lambda path: unformatted(Config.fromfile(path))))
        tool.main([
            config, '--work-dir',
            str(work_dir), *extra, *as_cli_options(options)
        ])
    return SimpleNamespace(written=written[0], log=_log(work_dir))


def _log(work_dir):
    logs = glob.glob(osp.join(str(work_dir), '*', '*.log'))
    assert len(logs) == 1, logs
    with open(logs[0]) as f:
        return f.read()


def _open(root):
    """The one store under ``root``."""
    paths = glob.glob(osp.join(str(root), '*', 'meta.json'))
    assert len(paths) == 1, paths
    with open(paths[0]) as f:
        meta = json.load(f)
    return TeacherOutputStore(
        osp.dirname(paths[0]),
        meta['fingerprint'],
        meta['format']['num_views'],
        meta['format']['num_samples'],
        meta['format']['num_classes'],
        dtype='float32',
        create=False)


def _rows():
    views = torch.arange(EPOCHS).repeat_interleave(NUM_CLIPS)
    return views, torch.arange(NUM_CLIPS).repeat(EPOCHS)


@pytest.fixture(scope='module')
def passes(setup):
    """Two passes over one store, then a training run that reads it."""
    first = _precompute(setup.config, setup.root / 'first', setup.tool_options)
    store = _open(setup.root / 'stores')
    # The store as the first pass left it (the training run reads it).
    filled_first = store.filled().clone()
    after_first = store.lookup(*_rows())[0]
    second = _precompute(setup.config, setup.root / 'second',
                         setup.tool_options)
    train = train_in_process(setup.config, setup.root / 'train', setup.options)
    return SimpleNamespace(
        first=first,
        second=second,
        train=train,
        store=store,
        filled_first=filled_first,
        after_first=after_first)


def test_pass_fills_every_view(passes):
    assert passes.first.written == CLIP_VIEWS
    assert passes.store.shape[:2] == (EPOCHS, NUM_CLIPS)
    assert bool(passes.filled_first.all())
    assert (f'{CLIP_VIEWS} of {CLIP_VIEWS} clip views to compute'
            in passes.first.log)
    # The views are the two epochs' crops: their logits differ.
    logits = passes.after_first.reshape(EPOCHS, NUM_CLIPS, -1)
    assert not torch.equal(logits[0], logits[1])


def test_second_pass_writes_nothing(passes):
    assert passes.second.written == 0
    assert f'0 of {CLIP_VIEWS} clip views to compute' in passes.second.log
    assert torch.equal(passes.store.lookup(*_rows())[0], passes.after_first)


def test_training_after_the_pass_reads_every_clip(passes):
    # Every stored clip of each epoch's view was also checked against the
    # live teacher before the epoch (num_checks, atol and rtol above).
    for epoch in range(EPOCHS):
        assert (f'epoch {epoch}: {NUM_CLIPS} clips read from the store, 0 '
                'run through the teacher') in passes.train.log
    assert 'Saving checkpoint at 2 epochs' in passes.train.log


def test_pass_over_a_half_filled_store_writes_the_other_half(
        setup, passes, tmp_path):
    # What a pass stopped half-way leaves: half of the rows, written here
    # with a marker value that a rewrite would replace.
    full = passes.store
    half = TeacherOutputStore(
        str(tmp_path / 'stores' / osp.basename(full.path)),
        full.fingerprint,
        *full.shape,
        dtype='float32')
    views, indices = _rows()
    done = (indices + views) % 2 == 0
    half.write(views[done], indices[done],
               torch.full((int(done.sum()), full.shape[2]), 7.0))
    half.flush()
    options = {
        **setup.tool_options, 'custom_hooks.1.root': str(tmp_path / 'stores')
    }
    run = _precompute(setup.config, tmp_path / 'work', options)
    assert run.written == CLIP_VIEWS // 2
    assert (f'{CLIP_VIEWS // 2} of {CLIP_VIEWS} clip views to compute'
            in run.log)
    logits, hit = _open(tmp_path / 'stores').lookup(views, indices)
    assert bool(hit.all())
    assert bool((logits[done] == 7.0).all())
    torch.testing.assert_close(
        logits[~done], passes.after_first[~done], rtol=1e-5, atol=1e-6)


def test_config_with_prefill_is_filled_once_by_the_pass(setup, tmp_path):
    options = {
        **setup.tool_options, 'custom_hooks.1.root': str(tmp_path / 'stores'),
        'custom_hooks.1.prefill': True
    }
    run = _precompute(setup.config, tmp_path / 'work', options, '--batch-size',
                      '3')
    assert run.written == CLIP_VIEWS
    assert run.log.count('clip views to compute') == 1
    assert bool(_open(tmp_path / 'stores').filled().all())


def test_config_without_store_is_refused(setup, tmp_path):
    config = tmp_path / 'no_store.py'
    config.write_text(f"_base_ = [{setup.config!r}]\n"
                      "custom_hooks = [dict(type='ReplayAugmentationHook')]\n")
    with pytest.raises(ValueError, match='the config has no TeacherStoreHook'):
        _precompute(str(config), tmp_path / 'work', setup.tool_options)
    assert ('The run stopped: ValueError: the config has no TeacherStoreHook'
            in _log(tmp_path / 'work'))


def test_pass_takes_the_options_of_training(setup):
    # The --cfg-options of the training run, validation's included.
    args = tool.parse_args([setup.config, *as_cli_options(setup.options)])
    cfg = tool.merge_args(Config.fromfile(setup.config), args)
    assert cfg.val_dataloader is None and cfg.val_cfg is None
    assert cfg.train_cfg.max_epochs == EPOCHS


@pytest.mark.parametrize('option, value', [('--batch-size', '0'),
                                           ('--num-workers', '-1')])
def test_bad_options_are_refused(capsys, option, value):
    with pytest.raises(SystemExit) as error:
        tool.parse_args(['config.py', option, value])
    assert error.value.code == 2
    low = 1 if option == '--batch-size' else 0
    assert f'{option} must be >= {low}, got {value}' in capsys.readouterr().err


def test_script_runs_the_package_tool(monkeypatch):
    monkeypatch.setattr(sys, 'path', list(sys.path))
    script = runpy.run_path(
        osp.join(REPO_ROOT, 'tools/precompute_teacher.py'), run_name='tool')
    assert script['main'] is tool.main
