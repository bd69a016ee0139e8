"""How a SAKD round picks its subset from the candidates' scores, as
registered components (docs/method.md#selection)."""
from mmsakd.registry import TASK_UTILS
from mmsakd.selection import RoundSettings


@TASK_UTILS.register_module()
class DPPSelector:
    """Greedy DPP over the fused teacher features with the criterion's
    scores as quality (Eq. 8): the method, with ``criterion='easiness'``.

    Args:
        criterion (str): A name in :data:`mmsakd.selection.CRITERIA`.
            Defaults to 'easiness'.
        gamma (float): Easiness/diversity trade-off of Eq. 8, in [0, 1].
            Defaults to 0.5.
        sigma (float): Ridge of the DPP kernel, > 0. Defaults to 1e-3.
        partition (str): Selection blocks, ``'class'`` or ``'random'``.
            Defaults to 'class'.
        block_size (int): Largest selection block, >= 1. Defaults to 4096.
    """

    def __init__(self,
                 criterion: str = 'easiness',
                 gamma: float = 0.5,
                 sigma: float = 1e-3,
                 partition: str = 'class',
                 block_size: int = 4096) -> None:
        self.fields = dict(
            criterion=criterion,
            diversity='dpp',
            gamma=gamma,
            sigma=sigma,
            partition=partition,
            block_size=block_size)
        self.round_settings()  # checks the arguments

    def round_settings(self, **fields) -> RoundSettings:
        """The settings of :func:`mmsakd.selection.update_and_select`.

        Args:
            **fields: The round's other fields (``ratio``, ``seed``,
                ``lam``, ``norm``).

        Returns:
            RoundSettings: The selector's fields and ``fields``.
        """
        return RoundSettings(**self.fields, **fields)


@TASK_UTILS.register_module()
class TopKSelector(DPPSelector):
    """The ``k`` candidates with the highest scores of the criterion, no
    diversity term.

    Args:
        criterion (str): A name in :data:`mmsakd.selection.CRITERIA`.
            Defaults to 'easiness'.
    """

    def __init__(self, criterion: str = 'easiness') -> None:
        self.fields = dict(criterion=criterion, diversity='none')
        self.round_settings()


@TASK_UTILS.register_module()
class RandomSelector(TopKSelector):
    """A uniformly random subset of the same size, an ablation of the
    selection (the strengths are still updated)."""

    def __init__(self) -> None:
        super().__init__(criterion='random')
