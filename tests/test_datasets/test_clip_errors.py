"""A clip that cannot be read stops the run with an error naming the
dataset, the annotation file, the clip's line and its file, in every phase
that reads clips (training, SAKD scoring, validation, test), and the run's
log in the work dir keeps it."""
import glob
import os.path as osp
import re

import pytest
from helpers import (REPO_ROOT, make_broken_copy, make_teacher_checkpoint,
                     tiny_cfg_options)
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmsakd.datasets import ClipLoadError, describe_clip
from mmsakd.registry import DATASETS
from mmsakd.tools import test as test_tool
from mmsakd.tools import train as train_tool

KD_CFG = 'configs/synthetic/kd_slowfast_tiny_synthetic.py'
SAKD_CFG = 'configs/synthetic/sakd_slowfast_tiny_synthetic.py'
STUDENT_CFG = 'configs/synthetic/slowfast_tiny_student_synthetic.py'


@pytest.fixture(scope='module')
def broken(tiny_data_root, tmp_path_factory):
    """Copies of the tiny lists with a truncated video (line 2) and a
    missing one (line 4) in each; returns (root, {line: file name})."""
    root = tmp_path_factory.mktemp('broken')
    bad = make_broken_copy(tiny_data_root, root)
    teacher = make_teacher_checkpoint(str(root / 'teacher.pth'))
    return root, bad, teacher


def _assert_names_a_bad_clip(text, ann_file, prefix, bad):
    match = re.search(
        r'cannot load clip (\d+) of VideoDataset \((\S+), line (\d+)\): '
        r'(\S+): ', text)
    assert match, text[-3000:]
    idx, ann, line, path = match.groups()
    assert ann == ann_file
    assert int(line) in bad and int(idx) == int(line) - 1
    assert path == osp.join(prefix, bad[int(line)])
    assert f'check_videos.py {ann_file} --data-prefix {prefix}' in text


def test_dataset_names_the_clip(broken, tiny_data_root):
    root, bad, _ = broken
    init_default_scope('mmsakd')
    cfg = Config.fromfile(osp.join(REPO_ROOT, KD_CFG))
    dataset_cfg = cfg.val_dataloader.dataset
    dataset_cfg.update(
        ann_file=str(root / 'val.txt'),
        data_prefix=dict(video=str(root / 'videos')))
    dataset = DATASETS.build(dataset_cfg)
    prefix = str(root / 'videos')
    for line, reason in ((2, 'Error reading'), (4, 'FileNotFoundError')):
        with pytest.raises(ClipLoadError) as err:
            dataset[line - 1]
        message = str(err.value)
        assert message.startswith(
            f'cannot load clip {line - 1} of VideoDataset '
            f'({root / "val.txt"}, line {line}): '
            f'{osp.join(prefix, bad["val"][line])}: ')
        assert reason in message
        assert err.value.__cause__ is not None
    # The other clips load.
    assert dataset[0]['inputs'].shape[0] == 1
    assert describe_clip(dataset, 0).endswith(
        osp.join(prefix,
                 open(root / 'val.txt').read().split()[0]))


def _options(root, tiny_data_root, broken_split, teacher):
    options = tiny_cfg_options(tiny_data_root, max_epochs=1)
    for split in (broken_split, ):
        ann = 'val.txt' if split == 'test' else f'{split}.txt'
        options[f'{split}_dataloader.dataset.ann_file'] = str(root / ann)
        options[f'{split}_dataloader.dataset.data_prefix.video'] = str(
            root / 'videos')
        # Through a worker process, as users train.
        options[f'{split}_dataloader.num_workers'] = 1
    options['model.teacher_ckpt'] = teacher
    return [f'{k}={v}' for k, v in options.items()]


@pytest.mark.parametrize('phase', ['train', 'score', 'val', 'test'])
def test_every_phase_names_the_clip_in_the_log(phase, broken, tiny_data_root,
                                               tmp_path):
    root, bad, teacher = broken
    split = dict(train='train', score='train', val='val', test='test')[phase]
    options = _options(root, tiny_data_root, split, teacher)
    work_dir = str(tmp_path / 'work')
    with pytest.raises(ClipLoadError) as err:
        if phase == 'test':
            checkpoint = make_teacher_checkpoint(
                str(tmp_path / 'student.pth'),
                config='configs/_base_/models/slowfast_tiny_student.py')
            test_tool.main([
                osp.join(REPO_ROOT, STUDENT_CFG), checkpoint, '--work-dir',
                work_dir, '--cfg-options'
            ] + [o for o in options if not o.startswith('model.')])
        else:
            config = SAKD_CFG if phase == 'score' else KD_CFG
            train_tool.main([
                osp.join(REPO_ROOT, config), '--work-dir', work_dir,
                '--cfg-options', *options
            ])
    ann_file = str(root / ('val.txt' if split == 'test' else f'{split}.txt'))
    bad_files = bad['val' if split == 'test' else split]
    prefix = str(root / 'videos')
    _assert_names_a_bad_clip(str(err.value), ann_file, prefix, bad_files)
    # Each phase reads through its own code path.
    functions = {entry.name for entry in err.traceback}
    expected = dict(
        train='run_epoch', score='score_samples', val='run', test='run')
    assert expected[phase] in functions, functions
    if phase in ('train', 'score'):
        assert 'train' in functions
    logs = glob.glob(osp.join(work_dir, '*', '*.log'))
    assert len(logs) == 1
    log = open(logs[0]).read()
    assert 'The run stopped: ClipLoadError' in log
    _assert_names_a_bad_clip(log, ann_file, prefix, bad_files)
