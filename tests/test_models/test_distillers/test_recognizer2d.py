"""2D recognizers (TSN, TSM: ``format_shape='NCHW'``): the scoring pass
and ``interrupt_train`` interrupt whole segments, and SAKD trains a 2D
student end to end."""
import json
import os.path as osp

import pytest
import torch
from helpers import tiny_cfg_options
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmsakd.engine import build_scoring_loader, score_samples
from mmsakd.models import SAKDDistiller

SEGMENTS = 4
MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
PREPROCESSOR = dict(
    type='ActionDataPreprocessor', mean=MEAN, std=STD, format_shape='NCHW')
#: A TSM student and a TSN teacher, MobileNetV2 at a fraction of its width.
STUDENT = dict(
    type='Recognizer2D',
    backbone=dict(
        type='MobileNetV2TSM',
        num_segments=SEGMENTS,
        widen_factor=0.25,
        pretrained2d=False),
    cls_head=dict(
        type='TSMHead',
        num_segments=SEGMENTS,
        num_classes=10,
        in_channels=1280,
        dropout_ratio=0.,
        average_clips='prob'),
    data_preprocessor=PREPROCESSOR)
TEACHER = dict(
    type='Recognizer2D',
    backbone=dict(type='MobileNetV2', widen_factor=0.5, pretrained=None),
    cls_head=dict(
        type='TSNHead',
        num_classes=10,
        in_channels=1280,
        dropout_ratio=0.,
        average_clips='prob'),
    data_preprocessor=PREPROCESSOR)


@pytest.fixture(scope='module', autouse=True)
def mmsakd_scope():
    init_default_scope('mmsakd')


def _distiller(**kwargs):
    torch.manual_seed(0)
    model = SAKDDistiller(
        STUDENT,
        TEACHER,
        untrained_teacher=True,
        kd_loss=dict(type='KDLoss'),
        **kwargs)
    model.init_weights()
    return model


def _clips(num=6):
    """Packed TSN samples: ``(segments, C, H, W)`` frames in [0, 255],
    every value of segment ``t`` of clip ``i`` above that of any
    interruption fill."""
    gen = torch.Generator().manual_seed(4)
    frames = torch.randint(0, 256, (num, SEGMENTS, 3, 32, 32), generator=gen)
    return [
        dict(
            inputs=frames[i].float(),
            data_samples=ActionDataSample(metainfo=dict(
                sample_idx=i)).set_gt_label(i % 10)) for i in range(num)
    ]


def _normalised(clip):
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (clip['inputs'] - mean) / std


def _dropped_segments(seen, clean):
    """Per sample, the segments that are 0 in every channel and pixel; the
    others must be untouched."""
    dropped = []
    for inputs, reference in zip(seen, clean):
        zero = (inputs == 0).flatten(1).all(1)
        assert torch.equal(inputs[~zero], reference[~zero])
        dropped.append(int(zero.sum()))
    return dropped


def test_scoring_drops_whole_segments(monkeypatch):
    # rate 0.3 < eta: round(0.3 * 4) = 1 segment of each clip is dropped
    # (all its channels and pixels); a colour channel is never dropped.
    model = _distiller().eval()
    seen = []
    score = model.score

    def record(inputs, data_samples):
        seen.extend(inputs)
        return score(inputs, data_samples)

    monkeypatch.setattr(model, 'score', record)
    clips = _clips()
    scores = score_samples(
        model,
        build_scoring_loader(clips, batch_size=3),
        0.3,
        epoch=1,
        progress=False)
    assert torch.isfinite(scores.losses).all()
    assert _dropped_segments(seen, [_normalised(c) for c in clips]) == [1] * 6


def test_interrupt_train_drops_whole_segments(runtime_info, monkeypatch):
    model = _distiller(interrupt_train=dict(eta=0.9)).train()
    seen = []
    extract_feat = model.student.extract_feat

    def record(inputs, *args, **kwargs):
        seen.extend(inputs)
        return extract_feat(inputs, *args, **kwargs)

    monkeypatch.setattr(model.student, 'extract_feat', record)
    # Epoch 3 of 5: rate 0.56 < eta = 0.9, round(0.56 * 4) = 2 segments.
    runtime_info(epoch=3, max_epochs=5, iter=0)
    clips = _clips(4)
    batch = model.data_preprocessor(
        dict(
            inputs=[c['inputs'] for c in clips],
            data_samples=[c['data_samples'] for c in clips]),
        training=True)
    losses = model(**batch, mode='loss')
    assert torch.isfinite(losses['loss_kd'])
    assert _dropped_segments(seen, [_normalised(c) for c in clips]) == [2] * 4


def test_sakd_trains_a_tsm_student(tiny_data_root, tmp_path):
    """Two epochs of SAKD with a TSM student, each with a round."""
    cfg = Config.fromfile(
        osp.join(
            osp.dirname(__file__), '..', '..', '..',
            'configs/synthetic/sakd_slowfast_tiny_synthetic.py'))
    cfg.merge_from_dict(tiny_cfg_options(tiny_data_root, max_epochs=2))
    cfg.model.student = STUDENT
    cfg.model.teacher = TEACHER
    cfg.model.teacher_ckpt = None
    cfg.model.untrained_teacher = True
    meta_keys = ('img_shape', 'img_key', 'video_id', 'timestamp', 'sample_idx')
    for split in ('train', 'val'):
        cfg[f'{split}_dataloader'].dataset.pipeline = [
            dict(type='DecordInit'),
            dict(
                type='SampleFrames',
                clip_len=1,
                frame_interval=1,
                num_clips=SEGMENTS,
                test_mode=split == 'val'),
            dict(type='DecordDecode'),
            dict(type='FormatShape', input_format='NCHW'),
            dict(type='PackActionInputs', meta_keys=meta_keys)
        ]
    cfg.test_dataloader = cfg.val_dataloader
    cfg.train_cfg.val_begin = 2
    cfg.default_hooks.checkpoint.interval = 2
    cfg.default_hooks.sakd.score_batch_size = 8
    cfg.default_hooks.sakd.ratio = 0.25
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    runner.train()
    with open(osp.join(str(tmp_path), 'sakd_rounds.jsonl')) as f:
        rounds = [json.loads(line) for line in f]
    assert [r['epoch'] for r in rounds] == [0, 1]
    assert all(r['subset_size'] == 6 for r in rounds)
    assert runner.iter == 2 * 2  # 6 clips in batches of 4, twice
