"""GKD: attention-map transfer plus a conditional-VAE feature generator
(our one-stage interpretation)."""
import math
from typing import Optional, Tuple

import torch
from torch import Tensor, nn

from mmsakd.registry import MODELS
from ..utils import Features
from .base_kd_loss import BaseFeatureKDLoss
from .utils import (Channels, average_feature_rows, check_counts,
                    check_non_negative, resize_to)


@MODELS.register_module()
class GKDLoss(BaseFeatureKDLoss):
    """Spatio-temporal attention matching plus a conditional VAE that
    generates the teacher's features from the student's.

    Wang et al., "Generative Model-Based Feature Knowledge Distillation for
    Action Recognition" (GKD, AAAI 2024). The paper trains its generator in
    a separate stage; this is our one-stage reading, trained jointly with
    the student. For a sample ``i`` and a feature level ``l`` (SlowFast:
    both pathways; the levels are averaged)::

        GKD_i = loss_weight / L * sum_l (att_weight * ATT_il
                + rec_weight * REC_il + kl_weight * KL_il)

    - Attention map of a feature ``F`` ``(C, T, H, W)``: the channel energy
      ``a = mean_c F_c^2``, resized to the teacher's ``(T, H, W)`` (see
      :func:`resize_to`) and L2-normalised over the positions. ``ATT =
      ||a_S - a_T||_2^2`` (sum over the positions, in ``[0, 2]``; i.e. the
      MSE of the maps times ``T * H * W``, so that it does not shrink with
      the map size).
    - Conditional VAE, per position (1x1x1 convolutions with ``hidden``
      channels and ReLU): the encoder maps ``[F_S resized, c]`` to ``mu``,
      ``logvar`` of a ``latent_channels`` latent, ``z = mu + exp(logvar /
      2) * e`` with ``e ~ N(0, I)``, the decoder maps ``[z, c]`` to the
      teacher's channels. The condition ``c = a_S * sqrt(T * H * W)`` is the
      student's normalised attention scaled to unit RMS. ``REC`` is the MSE
      (mean over ``C, T, H, W``) between the decoded and the teacher's
      feature; ``KL`` is the closed-form ``KL(N(mu, exp(logvar)) ||
      N(0, I))`` summed over the latent channels and averaged over the
      positions: ``-1/2 sum_k (1 + logvar_k - mu_k^2 - exp(logvar_k))``.

    The noise ``e`` is drawn only in training mode with gradient enabled;
    otherwise (SAKD scoring under ``no_grad``, evaluation) ``z = mu``, so
    that scores are deterministic. The teacher's features are detached; the
    VAE is a submodule of the loss, trained and checkpointed with the
    student. Computed in float32; ``V`` views per sample are averaged.
    Called as ``loss(student_feats, teacher_feats, reduction_override=None)``.

    Args:
        student_channels (int | Sequence[int]): Channels of the student's
            feature levels, e.g. ``(64, 16)`` for the tiny SlowFast student.
        teacher_channels (int | Sequence[int]): Channels of the teacher's
            levels, e.g. ``(128, 64)``.
        latent_channels (int): Latent size per position, >= 1.
            Defaults to 16.
        hidden_channels (int): Hidden width of encoder and decoder, >= 1.
            Defaults to 64.
        att_weight (float): Weight of ``ATT``, >= 0. Defaults to 1.0.
        rec_weight (float): Weight of ``REC``, >= 0. Defaults to 1.0.
        kl_weight (float): Weight of ``KL``, >= 0. Defaults to 0.1.
        **kwargs: ``loss_weight`` and ``reduction`` of
            :class:`BaseKDLoss`.
    """

    def __init__(self,
                 student_channels: Channels,
                 teacher_channels: Channels,
                 latent_channels: int = 16,
                 hidden_channels: int = 64,
                 att_weight: float = 1.0,
                 rec_weight: float = 1.0,
                 kl_weight: float = 0.1,
                 **kwargs) -> None:
        super().__init__(student_channels, teacher_channels, **kwargs)
        check_counts(
            latent_channels=latent_channels, hidden_channels=hidden_channels)
        check_non_negative(
            att_weight=att_weight, rec_weight=rec_weight, kl_weight=kl_weight)
        self.latent_channels = latent_channels
        self.att_weight = float(att_weight)
        self.rec_weight = float(rec_weight)
        self.kl_weight = float(kl_weight)
        # The extra input channel of both is the attention condition.
        self.encoders = nn.ModuleList(
            nn.Sequential(
                nn.Conv3d(s + 1, hidden_channels, 1), nn.ReLU(inplace=True),
                nn.Conv3d(hidden_channels, 2 * latent_channels, 1))
            for s in self.student_channels)
        self.decoders = nn.ModuleList(
            nn.Sequential(
                nn.Conv3d(latent_channels +
                          1, hidden_channels, 1), nn.ReLU(
                              inplace=True), nn.Conv3d(hidden_channels, t, 1))
            for t in self.teacher_channels)

    def per_sample(self,
                   student_feats: Features,
                   teacher_feats: Features,
                   student_logits: Optional[Tensor] = None,
                   **kwargs) -> Tensor:
        """The GKD loss of each sample.

        The arguments are those of :meth:`FeatureKDLoss.per_sample`: the
        student's and the teacher's feature levels, ``(N * V, C, T, H, W)``
        each, and optionally ``student_logits`` ``(N, K)``, whose ``N``
        averages the ``V`` views.

        Returns:
            Tensor: ``(N,)`` float32.
        """
        students, teachers = self.levels(student_feats, teacher_feats)
        sample = self.training and torch.is_grad_enabled()
        total = 0
        for level, (feat_s, feat_t) in enumerate(zip(students, teachers)):
            feat_s = feat_s.float()
            feat_t = feat_t.detach().float()
            size = feat_t.shape[2:]
            att_s = attention_map(feat_s, size)
            att_t = attention_map(feat_t, size)
            att = (att_s - att_t).pow(2).flatten(1).sum(dim=1)
            cond = att_s * math.sqrt(att_s[0].numel())
            mu, logvar = self.encoders[level](torch.cat(
                [resize_to(feat_s, size), cond], dim=1)).chunk(
                    2, dim=1)
            latent = mu
            if sample:
                latent = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            recon = self.decoders[level](torch.cat([latent, cond], dim=1))
            rec = (recon - feat_t).pow(2).flatten(1).mean(dim=1)
            kl = gaussian_kl(mu, logvar)
            total = total + self.att_weight * att + \
                self.rec_weight * rec + self.kl_weight * kl
        per_row = total / self.num_levels
        return self.loss_weight * average_feature_rows(per_row, student_logits)


def attention_map(feat: Tensor, size: Tuple[int, ...]) -> Tensor:
    """``(R, C, T, H, W)`` to the L2-normalised channel-energy map ``(R, 1,
    T', H', W')`` at ``size``."""
    energy = resize_to(feat.pow(2).mean(dim=1, keepdim=True), size)
    norm = energy.flatten(1).norm(dim=1).clamp_min(1e-12)
    return energy / norm.view(-1, 1, 1, 1, 1)


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    """``KL(N(mu, exp(logvar)) || N(0, I))`` of ``(R, K, T, H, W)`` maps,
    summed over ``K`` and averaged over the positions, ``(R,)``."""
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
    return kl.sum(dim=1).flatten(1).mean(dim=1)
