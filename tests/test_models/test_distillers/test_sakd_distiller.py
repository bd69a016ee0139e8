import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from helpers import REPO_ROOT
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

from mmsakd.models import SAKDDistiller
from mmsakd.models.utils import resolve_model_cfg
from mmsakd.selection import pool_features

STUDENT = 'configs/_base_/models/slowfast_tiny_student.py'
TEACHER = 'configs/_base_/models/slowfast_tiny_teacher.py'
NUM_CLASSES = 10
NUM_SAMPLES = 10  # size of the pretend training set of per-sample alpha


@pytest.fixture(scope='module', autouse=True)
def mmaction_scope():
    # Recognizers build their parts from the default scope's registry.
    init_default_scope('mmsakd')


def _model_cfg(path, **overrides):
    return dict(cfg_path=osp.join(REPO_ROOT, path), **overrides)


def _distiller(teacher_ckpt, student=None, teacher=None, **kwargs):
    # No dropout: the student's logits are deterministic in train mode.
    student = student or _model_cfg(STUDENT, cls_head=dict(dropout_ratio=0.))
    teacher = teacher or _model_cfg(TEACHER)
    torch.manual_seed(1)
    model = SAKDDistiller(
        student,
        teacher,
        teacher_ckpt=teacher_ckpt,
        untrained_teacher=teacher_ckpt is None,
        **kwargs)
    model.init_weights()
    return model


@pytest.fixture(scope='module')
def distiller(teacher_ckpt):
    return _distiller(teacher_ckpt)


def _batch(sample_idx, views=1, seed=0):
    gen = torch.Generator().manual_seed(seed)
    inputs = torch.randn(len(sample_idx), views, 3, 16, 32, 32, generator=gen)
    samples = []
    for i, idx in enumerate(sample_idx):
        sample = ActionDataSample().set_gt_label((3 * i + 1) % NUM_CLASSES)
        if idx is not None:
            sample.set_metainfo(dict(sample_idx=idx))
        samples.append(sample)
    return inputs, samples


def _labels(samples):
    return torch.cat([s.gt_label for s in samples])


def _kd_reference(student_logits, teacher_logits, tau=4.0):
    log_p_s = torch.log_softmax(student_logits.double() / tau, dim=1)
    p_t = torch.softmax(teacher_logits.double() / tau, dim=1)
    return (tau**2 * (p_t * (p_t.log() - log_p_s)).sum(1)).float()


def _reference(model, inputs, samples):
    """Per-sample CE and KD computed apart from the distiller's loss."""
    with torch.no_grad():
        student_logits, _ = model.student.extract_feat(inputs, stage='head')
        teacher_logits, _ = model.teacher.extract_feat(inputs, stage='head')
    ce = F.cross_entropy(student_logits, _labels(samples), reduction='none')
    return ce, _kd_reference(student_logits, teacher_logits)


def _total(losses):
    return sum(v for k, v in losses.items() if 'loss' in k)


def _close(a, b):
    torch.testing.assert_close(
        torch.as_tensor(a).float(),
        torch.as_tensor(b).float(),
        rtol=1e-4,
        atol=1e-6)


def test_eq9_alpha_zero_one_and_per_sample_mix(distiller):
    model = distiller.train()
    idx = [7, 2, 9, 0]
    inputs, samples = _batch(idx)
    ce, kd = _reference(model, inputs, samples)
    assert kd.min() > 0.1  # well above float32 rounding

    model.set_sample_alpha(torch.zeros(NUM_SAMPLES))
    losses = model(inputs, samples, mode='loss')
    _close(_total(losses), ce.mean())
    assert losses['loss_kd'] == 0

    model.set_sample_alpha(torch.ones(NUM_SAMPLES))
    losses = model(inputs, samples, mode='loss')
    _close(_total(losses), kd.mean())
    assert losses['loss_ce'] == 0

    alpha = torch.linspace(0, 1, NUM_SAMPLES)
    model.set_sample_alpha(alpha)
    a = alpha[idx]  # alpha of each sample, by dataset index
    losses = model(inputs, samples, mode='loss')
    _close(_total(losses), ((1 - a) * ce + a * kd).mean())
    _close(losses['loss_ce'], ((1 - a) * ce).mean())
    _close(losses['loss_kd'], (a * kd).mean())
    _close(losses['ce_raw'], ce.mean())
    _close(losses['kd_raw'], kd.mean())
    _close(losses['alpha_mean'], a.mean())
    # By position the weights would differ: the lookup is by sample_idx.
    by_position = alpha[:4]
    assert not torch.allclose(
        ((1 - by_position) * ce + by_position * kd).mean(), _total(losses))

    # A permuted batch keeps each sample's weight.
    perm = [2, 0, 3, 1]
    permuted = model(inputs[perm], [samples[i] for i in perm], mode='loss')
    _close(_total(permuted), _total(losses))
    model.set_sample_alpha(None)


def test_constant_alpha_without_per_sample_weights(distiller):
    model = distiller.train()
    model.set_sample_alpha(None)
    # No sample_idx needed while the weight is constant.
    inputs, samples = _batch([None, None, None])
    ce, kd = _reference(model, inputs, samples)
    losses = model(inputs, samples, mode='loss')
    assert model.alpha == 0.5
    _close(_total(losses), (0.5 * ce + 0.5 * kd).mean())
    _close(losses['alpha_mean'], 0.5)
    assert set(losses) == {
        'loss_ce', 'loss_kd', 'ce_raw', 'kd_raw', 'alpha_mean'
    }
    assert losses['loss_ce'].requires_grad
    assert not losses['kd_raw'].requires_grad


def test_per_sample_values_live_in_the_sample_tables(teacher_ckpt):
    model = _distiller(teacher_ckpt, alpha=0.25)
    assert model.alpha == model.sample_tables.default_alpha == 0.25
    alpha = torch.linspace(0., 1., NUM_SAMPLES)
    model.set_sample_alpha(alpha)
    assert torch.equal(model.sample_alpha, alpha)
    assert torch.equal(model.sample_tables.alpha, alpha)
    model.set_sample_weight(alpha * 2)
    assert torch.equal(model.sample_weight, model.sample_tables.weight)
    inputs, samples = _batch([3, 1], seed=2)
    model.train()(inputs, samples, mode='loss')
    assert model.last_sample_losses is model.sample_tables.last_losses
    assert model.last_sample_losses['sample_idx'].tolist() == [3, 1]


def test_soft_labels_and_label_smoothing(teacher_ckpt):
    student = _model_cfg(
        STUDENT, cls_head=dict(dropout_ratio=0., label_smooth_eps=0.1))
    model = _distiller(teacher_ckpt, student=student, alpha=0.0).train()
    inputs, samples = _batch([0, 1, 2])
    with torch.no_grad():
        logits, _ = model.student.extract_feat(inputs, stage='head')
    labels = _labels(samples)
    expected = F.cross_entropy(logits, labels, label_smoothing=0.1)
    _close(model(inputs, samples, mode='loss')['loss_ce'], expected)
    for sample, label in zip(samples, labels):
        sample.set_gt_label(F.one_hot(label, NUM_CLASSES).float())
    _close(model(inputs, samples, mode='loss')['loss_ce'], expected)


def test_views_are_averaged(distiller):
    model = distiller.eval()  # per-sample BN: views can be run apart
    inputs, samples = _batch([1, 2], views=2)
    model.set_sample_alpha(torch.zeros(NUM_SAMPLES))
    with torch.no_grad():
        logits = torch.stack([
            model.student.extract_feat(inputs[:, v:v + 1], stage='head')[0]
            for v in range(2)
        ]).mean(0)
    expected = F.cross_entropy(logits, _labels(samples))
    _close(model(inputs, samples, mode='loss')['loss_ce'], expected)
    model.set_sample_alpha(None)
    model.train()


def _per_sample_reference(model, inputs, samples):
    """Per-sample CE (``F.cross_entropy``) and KD (the loss's
    ``per_sample``), computed apart from :meth:`SAKDDistiller.loss`."""
    with torch.no_grad():
        student_logits, _ = model.student.extract_feat(inputs, stage='head')
        teacher_logits, _ = model.teacher.extract_feat(inputs, stage='head')
        kd = model.kd_loss.per_sample(
            student_logits=student_logits, teacher_logits=teacher_logits)
    ce = F.cross_entropy(student_logits, _labels(samples), reduction='none')
    return ce, kd


def test_sample_weight_multiplies_each_samples_eq9_loss(distiller):
    model = distiller.train()
    idx = [7, 2, 9, 0]
    inputs, samples = _batch(idx, seed=3)
    ce, kd = _per_sample_reference(model, inputs, samples)
    alpha = torch.linspace(0.1, 0.9, NUM_SAMPLES)
    a = alpha[idx]
    model.set_sample_alpha(alpha)
    unweighted = model(inputs, samples, mode='loss')

    weight = torch.tensor([0., 2., 1., 0.5, 3., 1., 1., 4., 1., 0.25])
    model.set_sample_weight(weight)
    w = weight[idx]  # by dataset index, not by position
    assert not torch.equal(w, weight[:4])
    losses = model(inputs, samples, mode='loss')
    _close(losses['loss_ce'], (w * (1 - a) * ce).mean())
    _close(losses['loss_kd'], (w * a * kd).mean())
    _close(_total(losses), (w * ((1 - a) * ce + a * kd)).mean())
    # The monitors stay unweighted.
    _close(losses['ce_raw'], ce.mean())
    _close(losses['kd_raw'], kd.mean())
    assert not torch.allclose(losses['loss_ce'], unweighted['loss_ce'])

    # The record holds the loss before the weight, by dataset index.
    record = model.last_sample_losses
    assert record['sample_idx'].dtype == torch.long
    assert record['sample_idx'].tolist() == idx
    _close(record['loss'], (1 - a) * ce + a * kd)
    assert not record['loss'].requires_grad
    # And the KD term alone, unweighted by alpha and w (the loss that
    # SAKDHook(reuse_train_losses=True) reuses), equal to the reference.
    _close(record['kd'], kd)
    assert not record['kd'].requires_grad

    # Weight 1 everywhere gives the unweighted loss.
    model.set_sample_weight(torch.ones(NUM_SAMPLES))
    ones = model(inputs, samples, mode='loss')
    _close(ones['loss_ce'], unweighted['loss_ce'])
    _close(ones['loss_kd'], unweighted['loss_kd'])
    model.set_sample_weight(None)
    model.set_sample_alpha(None)


def test_no_sample_weight_keeps_the_unweighted_code_path(distiller):
    model = distiller.train()
    model.set_sample_weight(None)
    inputs, samples = _batch([4, 1, 8], seed=4)
    losses = model(inputs, samples, mode='loss')
    # Exactly the expressions of the loss without weights.
    with torch.no_grad():
        logits, _ = model.student.extract_feat(inputs, stage='head')
        teacher_logits, _ = model.teacher.extract_feat(inputs, stage='head')
    ce = F.cross_entropy(logits.float(), _labels(samples), reduction='none')
    kd = model.kd_loss.per_sample(
        student_logits=logits, teacher_logits=teacher_logits).float()
    alpha = torch.full((3, ), 0.5)
    assert torch.equal(losses['loss_ce'].detach(), ((1 - alpha) * ce).mean())
    assert torch.equal(losses['loss_kd'].detach(), (alpha * kd).mean())
    assert torch.equal(model.last_sample_losses['loss'],
                       (1 - alpha) * ce + alpha * kd)


def test_last_sample_losses_only_with_sample_idx(teacher_ckpt):
    model = _distiller(teacher_ckpt).train()
    assert model.last_sample_losses is None  # before the first loss call
    inputs, samples = _batch([5, 3], seed=5)
    model(inputs, samples, mode='loss')
    assert model.last_sample_losses['sample_idx'].tolist() == [5, 3]
    # A batch without dataset indices leaves no record, not a stale one.
    inputs, samples = _batch([None, None], seed=5)
    model(inputs, samples, mode='loss')
    assert model.last_sample_losses is None


def test_argument_checks(teacher_ckpt):
    for alpha in (-0.1, 1.5, True):
        with pytest.raises(ValueError, match=r'alpha must be .* \[0, 1\]'):
            SAKDDistiller(
                _model_cfg(STUDENT), _model_cfg(TEACHER), alpha=alpha)
    with pytest.raises(ValueError, match="student's data_preprocessor"):
        SAKDDistiller(
            _model_cfg(STUDENT),
            _model_cfg(TEACHER),
            data_preprocessor=dict(type='ActionDataPreprocessor'))
    with pytest.raises(TypeError, match='per_sample'):
        SAKDDistiller(
            _model_cfg(STUDENT),
            _model_cfg(TEACHER),
            teacher_ckpt=teacher_ckpt,
            kd_loss=dict(type='CrossEntropyLoss'))


def test_incompatible_teacher(teacher_ckpt):
    with pytest.raises(ValueError) as err:
        SAKDDistiller(
            _model_cfg(STUDENT),
            _model_cfg(TEACHER, cls_head=dict(num_classes=7)),
            untrained_teacher=True)
    assert 'num_classes=7' in str(err.value)
    assert 'num_classes=10' in str(err.value)
    with pytest.raises(ValueError, match='data_preprocessors must match'):
        SAKDDistiller(
            _model_cfg(STUDENT),
            _model_cfg(
                TEACHER,
                data_preprocessor=dict(mean=[0., 0., 0.], std=[1., 1., 1.])),
            untrained_teacher=True)


def test_score_leaves_modes_and_statistics(distiller):
    model = distiller
    inputs, samples = _batch([3, 4, 5], views=2)
    for training in (True, False):
        model.train(training)
        before = {k: v.clone() for k, v in model.student.state_dict().items()}
        teacher_before = {
            k: v.clone()
            for k, v in model.teacher.state_dict().items()
        }
        scores = model.score(inputs, samples)
        assert model.student.training is training
        assert all(m.training is training for m in model.student.modules())
        assert not model.teacher.training
        for key, value in model.student.state_dict().items():
            assert torch.equal(value, before[key]), key
        for key, value in model.teacher.state_dict().items():
            assert torch.equal(value, teacher_before[key]), key

    assert scores['kd_loss'].shape == (3, )
    # slow pathway 128 channels + fast pathway 64 channels
    assert scores['teacher_feat'].shape == (3, 192)
    assert scores['student_logits'].shape == (3, NUM_CLASSES)
    assert not scores['kd_loss'].requires_grad
    model.eval()
    with torch.no_grad():
        feats, _ = model.teacher.extract_feat(inputs)
        student = torch.stack([
            model.student.extract_feat(inputs[:, v:v + 1], stage='head')[0]
            for v in range(2)
        ]).mean(0)
        teacher = torch.stack([
            model.teacher.extract_feat(inputs[:, v:v + 1], stage='head')[0]
            for v in range(2)
        ]).mean(0)
    _close(scores['teacher_feat'], pool_features(feats, num_views=2))
    _close(scores['kd_loss'], _kd_reference(student, teacher))
    _close(model.score(inputs)['kd_loss'], scores['kd_loss'])
    model.train()


def test_predict_and_tensor_modes_are_the_students(distiller):
    model = distiller.eval()
    inputs, samples = _batch([0, 1])
    with torch.no_grad():
        predicted = model(inputs, samples, mode='predict')
        expected = model.student(inputs, _batch([0, 1])[1], mode='predict')
        feats = model(inputs, mode='tensor')
    for got, want in zip(predicted, expected):
        _close(got.pred_score, want.pred_score)
    assert isinstance(feats, tuple) and len(feats) == 2  # slow, fast
    assert model.data_preprocessor is model.student.data_preprocessor
    model.train()


def test_cfg_path_resolution(tmp_path, monkeypatch):
    # A relative cfg_path is resolved against the current directory ...
    monkeypatch.chdir(REPO_ROOT)
    model = SAKDDistiller(
        dict(cfg_path=STUDENT, cls_head=dict(dropout_ratio=0.)),
        dict(cfg_path=TEACHER),
        untrained_teacher=True)
    assert model.student.cls_head.dropout is None
    assert model.teacher.cls_head.dropout is not None
    # ... and nowhere else.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as err:
        SAKDDistiller(
            dict(cfg_path=STUDENT),
            _model_cfg(TEACHER),
            untrained_teacher=True)
    assert 'model.student.cfg_path' in str(err.value)
    assert repr(STUDENT) in str(err.value)
    assert str(tmp_path / STUDENT) in str(err.value)
    with pytest.raises(FileNotFoundError, match='model.teacher.cfg_path'):
        SAKDDistiller(
            _model_cfg(STUDENT),
            dict(cfg_path='nope.py'),
            untrained_teacher=True)
    with pytest.raises(ValueError, match='model.student must have "type"'):
        SAKDDistiller(
            dict(depth=3), _model_cfg(TEACHER), untrained_teacher=True)
    # A config shipped with the package, from any directory.
    packaged = resolve_model_cfg(
        dict(
            cfg_path='mmsakd::' + STUDENT[len('configs/'):],
            cls_head=dict(num_classes=3)), 'student')
    assert packaged == resolve_model_cfg(
        _model_cfg(STUDENT, cls_head=dict(num_classes=3)), 'student')


def test_tpn_student_keeps_auxiliary_loss():
    model = SAKDDistiller(
        _model_cfg('configs/_base_/models/tpn_tiny_student.py'),
        _model_cfg('configs/_base_/models/tpn_tiny_teacher.py'),
        untrained_teacher=True)
    model.init_weights()
    model.train()
    inputs, samples = _batch([0, 1])
    losses = model(inputs, samples, mode='loss')
    assert {'loss_ce', 'loss_kd', 'loss_aux'} <= set(losses)
    assert torch.isfinite(losses['loss_aux']) and losses['loss_aux'] > 0
    _total(losses).backward()
    aux_head = model.student.neck.aux_head
    assert aux_head.fc.weight.grad.abs().sum() > 0
    # The TPN neck fuses its pyramid into 2048 channels.
    assert model.score(inputs)['teacher_feat'].shape == (2, 2048)


def _count_teacher_rows(model, monkeypatch):
    """Record the batch size of every teacher run of ``model``."""
    rows = []
    run = model._run_teacher

    def counting(inputs):
        rows.append(inputs.shape[0])
        return run(inputs)

    monkeypatch.setattr(model, '_run_teacher', counting)
    return rows


def test_teacher_cache_gives_the_uncached_losses(teacher_ckpt, monkeypatch):
    plain = _distiller(teacher_ckpt).train()
    cached = _distiller(teacher_ckpt, teacher_cache=True).train()
    rows = _count_teacher_rows(cached, monkeypatch)
    # The same clip has the same index in every batch (a deterministic
    # pipeline); batches overlap, so the later ones hit the cache.
    clips = torch.randn(
        10, 1, 3, 16, 32, 32, generator=torch.Generator().manual_seed(3))
    for idx in ([0, 1, 2, 3], [2, 3, 4, 5], [5, 0, 3, 1], [9, 8, 0, 2]):
        _, samples = _batch(idx)
        inputs = clips[idx]
        expected = plain(inputs, samples, mode='loss')
        losses = cached(inputs, samples, mode='loss')
        for key in ('loss_ce', 'loss_kd', 'kd_raw'):
            _close(losses[key], expected[key])
        _close(cached.last_sample_losses['loss'],
               plain.last_sample_losses['loss'])
    # The teacher ran once per new clip, on the missing rows, and on the
    # first stored clip of each batch, which is checked.
    assert rows == [4, 2 + 1, 0 + 1, 2 + 1]
    assert len(cached.teacher_cache) == 8
    assert cached.teacher_cache.hits == 16 - 8


def test_teacher_cache_hits_read_the_stored_logits(teacher_ckpt, monkeypatch):
    model = _distiller(teacher_ckpt, teacher_cache=True).train()
    idx = [4, 6]
    inputs, samples = _batch(idx)
    model(inputs, samples, mode='loss')
    # Stored logits of clip 6: a confident teacher predicting class 0. The
    # first stored clip of the batch (4) is the one checked live.
    target = torch.full((1, NUM_CLASSES), -20.)
    target[:, 0] = 20.
    model.teacher_cache.store(torch.tensor([6]), target)
    rows = _count_teacher_rows(model, monkeypatch)
    model(inputs, samples, mode='loss')
    assert rows == [1]
    with torch.no_grad():
        student_logits, _ = model.student.extract_feat(inputs, stage='head')
    _close(model.last_sample_losses['kd'][1],
           _kd_reference(student_logits[1:], target)[0])


def test_teacher_cache_in_state_dict(teacher_ckpt):
    model = _distiller(teacher_ckpt, teacher_cache=True).train()
    assert not any(k.startswith('teacher_cache.') for k in model.state_dict())
    inputs, samples = _batch([1, 3])
    model(inputs, samples, mode='loss')
    state = model.state_dict()
    assert state['teacher_cache.valid'].tolist() == [False, True, False, True]

    resumed = _distiller(teacher_ckpt, teacher_cache=True)
    resumed.load_state_dict(state)
    for index in (1, 3):
        a, _ = model.teacher_cache.lookup(torch.tensor([index]))
        b, _ = resumed.teacher_cache.lookup(torch.tensor([index]))
        assert torch.equal(a, b)
    # A distiller without the cache takes the checkpoint without complaint.
    result = _distiller(teacher_ckpt).load_state_dict(state)
    assert not result.unexpected_keys and not result.missing_keys


def test_teacher_cache_refuses_what_it_cannot_reproduce(teacher_ckpt):
    with pytest.raises(ValueError, match='FeatureKDLoss reads more'):
        _distiller(
            teacher_ckpt,
            teacher_cache=True,
            kd_loss=dict(
                type='FeatureKDLoss',
                student_channels=(64, 16),
                teacher_channels=(128, 64)))
    with pytest.raises(ValueError, match='interrupt_train changes'):
        _distiller(teacher_ckpt, teacher_cache=True, interrupt_train=True)
    model = _distiller(teacher_ckpt, teacher_cache=True).train()
    inputs, samples = _batch([None, 1])
    with pytest.raises(ValueError, match='sample_idx'):
        model(inputs, samples, mode='loss')
