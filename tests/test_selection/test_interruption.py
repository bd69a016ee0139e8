import numpy as np
import pytest
import torch

from mmsakd.selection import (STREAMS, interrupt_batch, make_generator,
                              num_interrupted, plan_interruption)


def constant_clips(n, c=3, t=10, h=4, w=4, views=None):
    """Clip i holds the value i + 1 everywhere; view v adds 100 * v."""
    values = torch.arange(1., n + 1).view(n, 1, 1, 1, 1)
    x = values.expand(n, c, t, h, w)
    if views is None:
        return x.contiguous()
    offsets = 100. * torch.arange(views).view(1, views, 1, 1, 1, 1)
    return (x.unsqueeze(1) + offsets).contiguous()


def frame_values(x):
    """(N, C, T, H, W) -> (N, T) value of each frame, checked constant."""
    flat = x.permute(0, 2, 1, 3, 4).flatten(2)
    assert torch.equal(flat.max(dim=2).values, flat.min(dim=2).values)
    return flat[..., 0]


def test_dropout_zeroes_exactly_round_rate_t_frames_per_clip():
    x = constant_clips(5, t=16)
    rate = 0.3  # < eta: dropout of round(4.8) = 5 frames
    out = interrupt_batch(x, rate, eta=0.5, seed=3, epoch=2, batch_idx=1)
    values = frame_values(out)
    for i in range(5):
        dropped = values[i] == 0
        assert int(dropped.sum()) == 5
        assert torch.all(values[i][~dropped] == i + 1)
    # Clips choose their frames independently.
    masks = {tuple((values[i] == 0).tolist()) for i in range(5)}
    assert len(masks) > 1


def test_dropout_uses_fill_value_per_channel():
    x = constant_clips(2, c=3, t=8)
    out = interrupt_batch(x, 0.25, fill_value=[-1., -2., -3.], seed=0)
    dropped = out[:, 0, :, 0, 0] == -1
    assert dropped.sum(dim=1).tolist() == [2, 2]
    assert torch.all(out[:, 1][dropped] == -2)
    assert torch.all(out[:, 2][dropped] == -3)
    with pytest.raises(ValueError, match='fill_value'):
        interrupt_batch(x, 0.25, fill_value=[0., 1.])


def test_rate_zero_is_identity():
    x = torch.randn(3, 3, 8, 5, 5)
    assert torch.equal(interrupt_batch(x, 0.0), x)


def test_batch_shuffle_puts_other_clips_frames_at_chosen_positions():
    n, t, eta = 6, 10, 0.5
    x = constant_clips(n, t=t)
    out = interrupt_batch(
        x, 0.8, eta=eta, scope='batch', seed=5, epoch=1, batch_idx=4)
    values = frame_values(out)
    plan = plan_interruption(n, t, 0.8, eta, 'batch', make_generator(5, 1, 4))
    count = num_interrupted(eta, t)
    partners = []
    for i in range(n):
        changed = values[i] != i + 1
        assert int(changed.sum()) == count
        chosen = plan.src_sample[i] != i
        assert torch.equal(changed, chosen)
        sources = values[i][changed].unique()
        assert sources.numel() == 1  # one partner per clip
        partners.append(int(sources) - 1)
    # Clips choose their positions independently.
    assert len({tuple(values[i] != i + 1) for i in range(n)}) > 1
    # The partners form a derangement of the batch.
    assert sorted(partners) == list(range(n))
    assert all(p != i for i, p in enumerate(partners))


def test_batch_shuffle_with_views_is_consistent_across_views():
    n, v, t = 4, 3, 8
    x = constant_clips(n, t=t, views=v)  # (N, V, C, T, H, W)
    out = interrupt_batch(x, 0.9, seed=1)
    assert out.shape == x.shape
    for i in range(n):
        per_view = [out[i, k, 0, :, 0, 0] - 100 * k for k in range(v)]
        for k in range(1, v):
            assert torch.equal(per_view[k], per_view[0])
        changed = per_view[0] != i + 1
        assert int(changed.sum()) == num_interrupted(0.5, t)


def test_batch_scope_derangement_covers_all_derangements():
    x = constant_clips(3, t=2)
    seen = set()
    for batch_idx in range(60):
        values = frame_values(
            interrupt_batch(x, 1.0, eta=1.0, batch_idx=batch_idx))
        seen.add(tuple(int(values[i, 0]) for i in range(3)))
    # The only derangements of 3 clips are the two 3-cycles.
    assert seen == {(2, 3, 1), (3, 1, 2)}


def test_clip_scope_only_permutes_within_a_clip():
    n, t = 4, 12
    frames = 100. * torch.arange(n).view(n, 1, 1, 1, 1) + torch.arange(
        1., t + 1).view(1, 1, t, 1, 1)
    x = frames.expand(n, 2, t, 3, 3).contiguous()
    out = interrupt_batch(x, 0.7, eta=0.5, scope='clip', seed=9)
    values, before = frame_values(out), frame_values(x)
    for i in range(n):
        assert torch.equal(values[i].sort().values, before[i])
        assert int((values[i] != before[i]).sum()) == num_interrupted(0.5, t)


def test_batch_of_one_falls_back_to_clip_scope():
    x = torch.randn(1, 3, 10, 4, 4)
    batch = interrupt_batch(x, 0.6, scope='batch', seed=2)
    clip = interrupt_batch(x, 0.6, scope='clip', seed=2)
    assert torch.equal(batch, clip)
    assert not torch.equal(batch, x)


def test_images_use_patches():
    n, p = 3, 4
    x = torch.arange(1., n + 1).view(n, 1, 1, 1).expand(n, 3, 9, 13)
    x = x.contiguous()
    units = (9 // p) * (13 // p)  # 2 x 3 whole patches; borders untouched
    out = interrupt_batch(x, 0.4, patch_size=p, seed=4)  # dropout
    dropped = out == 0
    per_image = dropped[:, 0].flatten(1).sum(dim=1)
    assert per_image.tolist() == [num_interrupted(0.4, units) * p * p] * n
    assert not dropped[:, :, 8:, :].any() and not dropped[:, :, :, 12:].any()
    # Dropped pixels form whole aligned patches.
    blocks = dropped[:, 0, :8, :12].reshape(n, 2, p, 3, p)
    assert torch.all(
        blocks.all(dim=4).all(dim=2) == blocks.any(dim=4).any(dim=2))

    out = interrupt_batch(x, 0.8, patch_size=p, seed=4)  # batch shuffle
    for i in range(n):
        foreign = out[i, 0] != i + 1
        assert int(foreign.sum()) == num_interrupted(0.5, units) * p * p
        assert out[i, 0][foreign].unique().numel() == 1


def test_single_frame_clips_are_treated_as_images():
    x = torch.randn(2, 3, 1, 8, 8)
    out5 = interrupt_batch(x, 0.3, seed=1)
    out4 = interrupt_batch(x[:, :, 0], 0.3, seed=1)
    assert torch.equal(out5[:, :, 0], out4)
    dropped_pixels = int((out4 == 0).all(dim=1).sum())
    assert dropped_pixels == num_interrupted(0.3, 4) * 16 * 2


def test_ntchw_layout_treats_segments_as_time():
    x = torch.randn(3, 8, 3, 5, 5)  # (N, segments, C, H, W)
    out = interrupt_batch(x, 0.8, layout='NTCHW', seed=7)
    ref = interrupt_batch(x.transpose(1, 2), 0.8, layout='NCTHW', seed=7)
    assert torch.equal(out, ref.transpose(1, 2))


def test_same_seed_epoch_batch_is_identical_and_others_differ():
    x = torch.randn(4, 3, 16, 6, 6)
    ref = interrupt_batch(x, 0.3, seed=1, epoch=2, batch_idx=3)
    assert torch.equal(ref,
                       interrupt_batch(x, 0.3, seed=1, epoch=2, batch_idx=3))
    assert not torch.equal(
        ref, interrupt_batch(x, 0.3, seed=1, epoch=2, batch_idx=4))
    assert not torch.equal(
        ref, interrupt_batch(x, 0.3, seed=1, epoch=3, batch_idx=3))
    assert not torch.equal(
        ref, interrupt_batch(x, 0.3, seed=2, epoch=2, batch_idx=3))


def test_dtype_is_kept_and_input_untouched():
    x = torch.randint(1, 255, (3, 3, 8, 4, 4), dtype=torch.uint8)
    before = x.clone()
    out = interrupt_batch(x, 0.5)
    assert out.dtype == torch.uint8 and out.shape == x.shape
    assert torch.equal(x, before)


def test_argument_errors():
    x = torch.randn(2, 3, 4, 4, 4)
    with pytest.raises(ValueError, match='rate'):
        interrupt_batch(x, 1.5)
    with pytest.raises(ValueError, match='eta'):
        interrupt_batch(x, 0.5, eta=0.0)
    with pytest.raises(ValueError, match='scope'):
        interrupt_batch(x, 0.5, scope='video')
    with pytest.raises(ValueError, match='layout'):
        interrupt_batch(x, 0.5, layout='NVCTHW')
    with pytest.raises(ValueError, match='dims'):
        interrupt_batch(torch.randn(2, 3, 4), 0.5)
    with pytest.raises(ValueError, match='patch_size'):
        interrupt_batch(torch.randn(2, 3, 3, 3), 0.5, patch_size=4)
    with pytest.raises(ValueError, match='seed'):
        interrupt_batch(x, 0.5, seed=-1)


def test_streams_differ_for_the_same_seed_epoch_and_index():
    draws = {
        stream: torch.rand(8, generator=make_generator(3, 2, 1, stream))
        for stream in STREAMS
    }
    for a in STREAMS:
        for b in STREAMS:
            assert (a == b) == torch.equal(draws[a], draws[b])
    with pytest.raises(ValueError, match='stream must be one of'):
        make_generator(0, stream='scores')


def test_consumers_draw_from_distinct_streams(monkeypatch):
    """The scoring pass (batch 0 and 1), the random criterion,
    ``interrupt_train`` (iteration 0 and 1) and ``DropoutShuffle`` (sample 0
    and 1) of the same seed and epoch draw unrelated numbers."""
    from mmengine.logging import MessageHub

    from mmsakd.datasets.transforms import interruption as transform_module
    from mmsakd.engine import build_scoring_loader, score_samples, scoring
    from mmsakd.models.utils import interruption as train_module
    from mmsakd.selection import CRITERIA, RoundSettings, selection_round
    first_draws = {}

    def recording(name, function):

        def record(*args, **kwargs):
            generator = kwargs.get('generator') or args[-1]
            state = generator.get_state()
            first_draws.setdefault(name, []).append(
                torch.rand(4, generator=generator).tolist())
            generator.set_state(state)
            return function(*args, **kwargs)

        return record

    for module, name in ((scoring, 'scoring'), (train_module, 'train'),
                         (transform_module, 'pipeline')):
        monkeypatch.setattr(module, 'interrupt_batch',
                            recording(name, module.interrupt_batch))
    monkeypatch.setitem(CRITERIA, 'random',
                        recording('criterion', CRITERIA['random']))
    seed, epoch = 0, 1

    class Scorer:

        class data_preprocessor:
            format_shape = 'NCTHW'

            def __new__(cls, data, training):
                return dict(
                    inputs=torch.stack(data['inputs']),
                    data_samples=data['data_samples'])

        def score(self, inputs, data_samples):
            flat = inputs.flatten(1)
            return dict(kd_loss=flat.sum(1), teacher_feat=flat[:, :3])

    from mmaction.structures import ActionDataSample
    clips = [
        dict(
            inputs=torch.rand(1, 3, 4, 4, 4),
            data_samples=ActionDataSample(metainfo=dict(sample_idx=i)))
        for i in range(4)
    ]
    score_samples(
        Scorer(),
        build_scoring_loader(clips, 2),
        0.3,
        epoch,
        seed=seed,
        progress=False)
    selection_round(
        torch.rand(4), torch.rand(4, 3), torch.zeros(4), torch.zeros(4), None,
        0, 0.3, epoch,
        RoundSettings(
            ratio=0.5, criterion='random', partition='random', seed=seed))
    hub = MessageHub.get_current_instance()
    saved = {k: hub.get_info(k) for k in ('epoch', 'max_epochs', 'iter')}
    try:
        for iteration in (0, 1):
            hub.update_info('epoch', epoch)
            hub.update_info('max_epochs', 10)
            hub.update_info('iter', iteration)
            train_module.interrupt_training_batch(
                torch.rand(2, 1, 3, 4, 4, 4),
                dict(train_module.INTERRUPT_DEFAULTS, seed=seed), 'NVCTHW')
    finally:
        for key, value in saved.items():
            hub.update_info(key, value)
    from mmsakd.datasets.transforms import DropoutShuffle
    transform = DropoutShuffle(rate=0.3, seed=seed, epoch=epoch)
    for index in (0, 1):
        transform(
            dict(
                imgs=[np.zeros((4, 4, 3), np.uint8)] * 4,
                clip_len=4,
                sample_idx=index))
    assert sorted(first_draws) == ['criterion', 'pipeline', 'scoring', 'train']
    draws = [d for name in sorted(first_draws) for d in first_draws[name]]
    assert len(draws) == 7  # 2 batches, 1 ranking, 2 iterations, 2 clips
    assert all(draws.count(d) == 1 for d in draws)
