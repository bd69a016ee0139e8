"""A reference for ``selection_round`` and ``pool_round`` written from
docs/method.md#difficulty to #selection and #candidate-pool, in float64 on
Python lists, with each greedy pick of Eq. 8 taken by evaluating the
objective, a log-determinant, of the picked set plus every candidate. It
calls no mmsakd function but for the seeded random draws that no equation
fixes: the projection matrix and the random splits of the selection
blocks."""
import math
from fractions import Fraction

import torch

from mmsakd.selection import gaussian_projection, partition_blocks


def spec_strength(losses, omega, rounds, alpha, rate, settings):
    """Eq. 5 (p, s), the ``norm`` of s_hat and Eq. 6, on Python floats."""
    p = [1 / (w / max(1, rounds) + 1) for w in omega.tolist()]
    s = [pi * max(loss, 0.) for pi, loss in zip(p, losses.tolist())]
    if settings.norm == 'max':
        s_hat = [v / max(s) if max(s) > 0 else 0. for v in s]
    elif len(s) == 1:
        s_hat = [0.5]
    else:
        # 0-based ascending rank, tied values at the mean rank of the tie.
        s_hat = [(sum(u < v for u in s) + (s.count(v) - 1) / 2) / (len(s) - 1)
                 for v in s]
    lam = settings.lam
    new_alpha = [
        min(max(lam * a + (1 - lam) * rate * e, 0.), 1.)
        for a, e in zip(alpha.tolist(), s_hat)
    ]
    return s_hat, new_alpha


def spec_projected(feats, settings):
    """``F``: the pooled features, times the run's fixed projection when
    they have more than ``d_max`` channels."""
    feats = feats.double()
    c = feats.shape[1]
    if settings.d_max is None or c <= settings.d_max:
        return feats
    return feats @ gaussian_projection(
        c, settings.d_max, settings.seed, dtype=torch.float64)


def objective(feat, s_hat, chosen, gamma, sigma):
    """Eq. 8 of the set ``chosen`` (a list of row indices of ``feat``)."""
    rows = feat[chosen]
    rows = rows / rows.norm(dim=1, keepdim=True).clamp_min(1e-300)
    kernel = rows @ rows.T + sigma * torch.eye(len(chosen), dtype=rows.dtype)
    return (gamma * sum(s_hat[i] for i in chosen) +
            (1 - gamma) * float(torch.linalg.slogdet(kernel)[1]))


def spec_select(feat, s_hat, k, labels, epoch, settings):
    """Eq. 8 by blocks: each block's share by largest remainders, then
    greedily the sample whose addition gives the largest objective (the
    lowest index on a tie)."""
    n = len(s_hat)
    classes = None if labels is None else labels.tolist()
    if settings.partition == 'class' and max(map(
            classes.count, classes)) <= settings.block_size:
        blocks = [[i for i in range(n) if classes[i] == c]
                  for c in sorted(set(classes))]
    else:
        # A seeded random split: the partition's own seeded draw.
        blocks = [
            b.tolist()
            for b in partition_blocks(n, labels, settings.partition,
                                      settings.block_size, settings.seed +
                                      epoch)
        ]
    quotas = [Fraction(k * len(b), n) for b in blocks]
    counts = [math.floor(q) for q in quotas]
    by_remainder = sorted(
        range(len(blocks)), key=lambda b: (counts[b] - quotas[b], b))
    for b in by_remainder[:k - sum(counts)]:
        counts[b] += 1
    subset = []
    for block, count in zip(blocks, counts):
        chosen = []
        for _ in range(count):
            chosen.append(
                max((j for j in block if j not in chosen),
                    key=lambda j:
                    (objective(feat, s_hat, chosen + [j], settings.gamma,
                               settings.sigma), -j)))
        subset += chosen
    return sorted(subset)


def spec_round(losses, feats, omega, alpha, prev, rounds, rate, epoch,
               settings, labels):
    """One round from the equations, in float64."""
    s_hat, new_alpha = spec_strength(losses, omega, rounds, alpha, rate,
                                     settings)
    current = spec_projected(feats, settings)
    if rounds == 0 or prev is None:
        feat = current
    else:
        feat = settings.lam * prev.double() + (1 - settings.lam) * current
    k = math.ceil(settings.ratio * len(losses))
    subset = spec_select(feat, s_hat, k, labels, epoch, settings)
    new_omega = omega.clone()
    new_omega[subset] += 1
    return dict(
        omega=new_omega,
        alpha=torch.tensor(new_alpha, dtype=torch.float64),
        feat=feat,
        subset=subset,
        rounds=rounds + 1)


def assert_state(got, ref, subset_sorted=False):
    """A round's output equals the reference's: the same subset (as a set,
    or in the same sorted order), counts and round number, and strengths
    and features up to float32 rounding."""
    subset = got['subset'] if subset_sorted else sorted(got['subset'])
    assert subset == ref['subset']
    assert all(type(i) is int for i in got['subset'])
    assert got['rounds'] == ref['rounds']
    assert torch.equal(got['omega'], ref['omega'])
    assert got['omega'].dtype == ref['omega'].dtype
    torch.testing.assert_close(
        got['alpha'].double(), ref['alpha'], rtol=0, atol=1e-6)
    torch.testing.assert_close(
        got['feat'].double(), ref['feat'], rtol=1e-5, atol=1e-5)


def spec_pool_round(candidates, losses, feats, fresh, omega, alpha, feat,
                    known, rounds, rate, epoch, settings, labels):
    """:func:`pool_round` from docs/method.md#candidate-pool: Eq. 5-6 among
    the candidates, Eq. 7 for the scored ones, Eq. 8 among the candidates."""
    cands = candidates.tolist()
    s_hat, cand_alpha = spec_strength(losses, omega[candidates], rounds,
                                      alpha[candidates], rate, settings)
    new_alpha = alpha.double().clone()
    new_alpha[candidates] = torch.tensor(cand_alpha, dtype=torch.float64)
    current = spec_projected(feats, settings)
    if feat is None:
        new_feat = torch.zeros(len(omega), current.shape[1]).double()
    else:
        new_feat = feat.double().clone()
    new_known = known.clone()
    scored = [i for i, f in zip(cands, fresh.tolist()) if f]
    for row, i in enumerate(scored):
        if known[i]:
            new_feat[i] = (
                settings.lam * new_feat[i] + (1 - settings.lam) * current[row])
        else:
            new_feat[i] = current[row]
        new_known[i] = True
    k = min(math.ceil(settings.ratio * len(omega)), len(cands))
    picked = spec_select(new_feat[candidates], s_hat, k, labels[candidates],
                         epoch, settings)
    subset = sorted(cands[j] for j in picked)
    new_omega = omega.clone()
    new_omega[subset] += 1
    return dict(
        omega=new_omega,
        alpha=new_alpha,
        feat=new_feat,
        known=new_known,
        subset=subset,
        rounds=rounds + 1)
