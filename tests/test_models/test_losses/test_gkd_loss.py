import numpy as np
import pytest
import torch
from torch.distributions import Normal, kl_divergence

from mmsakd.models.losses import BaseKDLoss, GKDLoss
from mmsakd.models.losses.gkd_loss import attention_map, gaussian_kl
from mmsakd.registry import MODELS


def test_attention_map_by_hand():
    # One row, 2 channels, T=1, 2x2: energies are mean_c F^2.
    feat = torch.tensor([[1., 2.], [3., 0.]]).view(1, 1, 1, 2, 2)
    feat = torch.cat([feat, 2 * feat], dim=1)
    energy = np.array([1, 4, 9, 0]) * (1 + 4) / 2
    expected = energy / np.sqrt((energy**2).sum())
    out = attention_map(feat, (1, 2, 2))
    assert out.shape == (1, 1, 1, 2, 2)
    np.testing.assert_allclose(out.flatten().numpy(), expected, rtol=1e-6)
    # Resized to 1x1 by averaging: a single position of norm 1.
    torch.testing.assert_close(
        attention_map(feat, (1, 1, 1)).flatten(), torch.ones(1))


def test_gaussian_kl_closed_form():
    gen = torch.Generator().manual_seed(0)
    mu = torch.randn(3, 4, 2, 1, 2, generator=gen)
    logvar = torch.randn(3, 4, 2, 1, 2, generator=gen)
    ref = kl_divergence(
        Normal(mu, torch.exp(0.5 * logvar)),
        Normal(torch.zeros_like(mu), torch.ones_like(mu)))
    torch.testing.assert_close(
        gaussian_kl(mu, logvar),
        ref.sum(1).flatten(1).mean(1))
    assert torch.allclose(
        gaussian_kl(torch.zeros(1, 2, 1, 1, 1), torch.zeros(1, 2, 1, 1, 1)),
        torch.zeros(1))


def _feats(seed, rows=2):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(rows, 3, 2, 4, 4, generator=gen),
            torch.randn(rows, 5, 2, 2, 2, generator=gen))


def test_terms_against_a_direct_computation():
    s, t = _feats(1)
    torch.manual_seed(0)
    weights = dict(att_weight=0.7, rec_weight=1.3, kl_weight=0.2)
    loss = GKDLoss(
        3,
        5,
        latent_channels=2,
        hidden_channels=6,
        reduction='none',
        **weights)
    loss.eval()  # z = mu
    out = loss(s, t)

    # Attention by hand: channel energy, 2x2 block mean, L2 normalisation.
    def att(x, pool):
        e = (x.double().numpy()**2).mean(1)
        r, tt, h, w = e.shape
        e = e.reshape(r, tt, h // pool, pool, w // pool, pool).mean((3, 5))
        e = e.reshape(r, -1)
        return e / np.linalg.norm(e, axis=1, keepdims=True)

    a_s, a_t = att(s, 2), att(t, 1)
    att_ref = ((a_s - a_t)**2).sum(1)
    # The CVAE written out with the layers, at the teacher's 2x2 map.
    pooled = torch.nn.functional.avg_pool3d(s, (1, 2, 2))
    cond = torch.from_numpy(a_s).float().view(2, 1, 2, 2, 2) * np.sqrt(8)
    enc = loss.encoders[0](torch.cat([pooled, cond], 1))
    mu, logvar = enc[:, :2], enc[:, 2:]
    rec = loss.decoders[0](torch.cat([mu, cond], 1))
    rec_ref = ((rec - t)**2).mean((1, 2, 3, 4))
    kl_ref = (0.5 * (mu**2 + logvar.exp() - 1 - logvar)).sum(1).mean((1, 2, 3))
    expected = 0.7 * att_ref + 1.3 * rec_ref.detach().numpy() + \
        0.2 * kl_ref.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-4)


def test_sampling_only_when_training_with_grad():
    s, t = _feats(2)
    torch.manual_seed(1)
    loss = GKDLoss(3, 5, reduction='none')
    with torch.no_grad():  # SAKD scoring: deterministic
        first, second = loss(s, t), loss(s, t)
    assert torch.equal(first, second)
    loss.eval()
    assert torch.equal(loss(s, t), first)
    loss.train()
    torch.manual_seed(2)
    noisy_a = loss(s, t)
    noisy_b = loss(s, t)
    assert not torch.allclose(noisy_a, noisy_b)
    assert not torch.allclose(noisy_a, first)


def test_levels_views_reductions_and_gradients():
    gen = torch.Generator().manual_seed(3)
    students = (torch.randn(4, 3, 2, 2, 2, generator=gen).requires_grad_(),
                torch.randn(4, 2, 4, 2, 2, generator=gen).requires_grad_())
    teachers = (torch.randn(4, 5, 2, 2, 2, generator=gen).requires_grad_(),
                torch.randn(4, 6, 4, 2, 2, generator=gen).requires_grad_())
    torch.manual_seed(0)
    loss = GKDLoss((3, 2), (5, 6), loss_weight=2.0, reduction='none')
    loss.eval()
    rows = loss(students, teachers)
    # The mean of the levels, each computed by a one-level loss.
    level_means = []
    for i in range(2):
        single = GKDLoss(
            students[i].shape[1], teachers[i].shape[1],
            reduction='none').eval()
        single.encoders[0].load_state_dict(loss.encoders[i].state_dict())
        single.decoders[0].load_state_dict(loss.decoders[i].state_dict())
        level_means.append(single(students[i], teachers[i]))
    torch.testing.assert_close(rows, level_means[0] + level_means[1])
    per_sample = loss.per_sample(
        student_feats=students,
        teacher_feats=teachers,
        student_logits=torch.zeros(2, 7))
    torch.testing.assert_close(per_sample, rows.view(2, 2).mean(1))
    torch.testing.assert_close(
        loss(students, teachers, reduction_override='mean'), rows.mean())
    loss.train()
    loss(students, teachers).sum().backward()
    assert all(s.grad.abs().sum() > 0 for s in students)
    assert all(t.grad is None for t in teachers)
    for part in (*loss.encoders, *loss.decoders):
        assert part[0].weight.grad.abs().sum() > 0


def test_argument_checks():
    for kwargs, message in [
        (dict(latent_channels=0), 'latent_channels must be an integer >= 1'),
        (dict(hidden_channels=1.5), 'hidden_channels must be an integer >= 1'),
        (dict(att_weight=-1), 'att_weight must be a number >= 0'),
        (dict(rec_weight=None), 'rec_weight must be a number >= 0'),
        (dict(kl_weight=-0.1), 'kl_weight must be a number >= 0'),
        (dict(loss_weight=-1), 'loss_weight must be'),
    ]:
        with pytest.raises(ValueError, match=message):
            GKDLoss(3, 5, **kwargs)


def test_registered_in_mmaction_models():
    loss = MODELS.build(
        dict(
            type='GKDLoss',
            student_channels=(64, 16),
            teacher_channels=(128, 64)))
    assert isinstance(loss, GKDLoss) and isinstance(loss, BaseKDLoss)
    assert (loss.att_weight, loss.rec_weight, loss.kl_weight) == (1., 1., .1)
    assert loss.decoders[1][-1].out_channels == 64
