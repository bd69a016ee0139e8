"""The per-sample state of SAKD's rounds, and its checkpoint entry."""
from typing import List, Optional

import torch
from mmengine.dist import is_main_process
from torch import Tensor


class SAKDState:
    """What SAKD keeps between rounds, one entry per training sample.

    Checkpoints hold it under ``checkpoint['sakd']`` with the keys of
    :meth:`state_dict`. Only rank 0 selects, so only rank 0 keeps the
    fused features ``feat``; every rank holds the rest.

    Args:
        num_samples (int): Size ``N`` of the training set.
        alpha_init (float): Initial strength of every sample, in [0, 1].
            Defaults to 0.
        seed (int): Base seed of the rounds. Defaults to 0.

    Attributes:
        omega (Tensor): ``(N,)`` int64 times each sample was selected.
        alpha (Tensor): ``(N,)`` distillation strengths (Eq. 6).
        feat (Tensor, optional): ``(N, d)`` fused teacher features (Eq. 7),
            None before the first round and on ranks other than 0.
        subset (list[int], optional): The last round's subset.
        rounds (int): Rounds done.
        last_scored (Tensor): ``(N,)`` int64, the round in which each
            sample was last a pool candidate, -1 if never
            (:class:`CandidatePool`).
        has_feat (Tensor): ``(N,)`` bool, which samples have fused features
            (:class:`CandidatePool`).
        train_loss (Tensor): ``(N,)`` the last training KD loss of each
            sample (``reuse_train_losses``).
        trained_since_round (Tensor): ``(N,)`` bool, which samples were
            trained since the last round (``reuse_train_losses``).
    """

    def __init__(self,
                 num_samples: int,
                 alpha_init: float = 0.,
                 seed: int = 0) -> None:
        self.omega = torch.zeros(num_samples, dtype=torch.long)
        self.alpha = torch.full((num_samples, ), float(alpha_init))
        self.feat: Optional[Tensor] = None
        self.subset: Optional[List[int]] = None
        self.rounds = 0
        self.seed = seed
        self.last_scored = torch.full((num_samples, ), -1, dtype=torch.long)
        self.has_feat = torch.zeros(num_samples, dtype=torch.bool)
        self.train_loss = torch.zeros(num_samples)
        self.trained_since_round = torch.zeros(num_samples, dtype=torch.bool)

    def __len__(self) -> int:
        return len(self.omega)

    def record_train_losses(self, indices: Tensor, losses: Tensor) -> None:
        """Keep the training KD losses of the samples just trained.

        Args:
            indices (Tensor): Distinct dataset indices.
            losses (Tensor): Their losses.
        """
        self.train_loss[indices] = losses.float()
        self.trained_since_round[indices] = True

    def state_dict(self) -> dict:
        """The checkpoint entry ``checkpoint['sakd']``."""
        return dict(
            omega=self.omega,
            alpha=self.alpha,
            feat=self.feat,
            subset=self.subset,
            rounds=self.rounds,
            seed=self.seed,
            last_scored=self.last_scored,
            known=self.has_feat,
            train_loss=self.train_loss,
            trained=self.trained_since_round)

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict`, on the CPU whatever device it was
        loaded to (mmsakd's local loader maps to the CPU already, a remote
        scheme or a caller's ``map_location`` may not).

        Args:
            state (dict): A checkpoint's ``'sakd'`` entry.
        """
        self.omega = state['omega'].cpu()
        self.alpha = state['alpha'].cpu()
        feat = state['feat'] if is_main_process() else None
        self.feat = None if feat is None else feat.cpu()
        self.subset = state['subset']
        self.rounds = int(state['rounds'])
        self.seed = int(state['seed'])
        # Checkpoints written before candidate pools lack their state.
        for key, name in (('last_scored', 'last_scored'),
                          ('known', 'has_feat'), ('train_loss', 'train_loss'),
                          ('trained', 'trained_since_round')):
            if state.get(key) is not None:
                setattr(self, name, state[key].cpu())
