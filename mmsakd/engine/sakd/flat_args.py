"""The flat ``SAKDHook`` arguments of earlier releases, mapped to the keys
of its components with a deprecation warning."""
import copy
import warnings
from typing import Optional, Tuple

from .candidates import CandidatePool

#: Flat argument -> (component, its key).
FLAT_ARGS = dict(
    eta=('scorer', 'eta'),
    theta=('scorer', 'theta'),
    scope=('scorer', 'scope'),
    patch_size=('scorer', 'patch_size'),
    score_batch_size=('scorer', 'batch_size'),
    score_num_workers=('scorer', 'num_workers'),
    score_pipeline=('scorer', 'pipeline'),
    d_max=('scorer', 'd_max'),
    gamma=('selector', 'gamma'),
    sigma=('selector', 'sigma'),
    partition=('selector', 'partition'),
    block_size=('selector', 'block_size'),
    criterion=('selector', 'criterion'),
    diversity=('selector', 'type'),
    pool_factor=('candidates', 'pool_factor'),
    pool_random=('candidates', 'pool_random'),
    reuse_train_losses=('candidates', 'reuse_train_losses'))
#: The component types of an unset part, or of a part without ``type``.
DEFAULT_TYPES = dict(
    scorer='InterruptionScorer',
    candidates='AllSamples',
    selector='DPPSelector')
#: The keys only greedy DPP reads.
DPP_KEYS = ('gamma', 'sigma', 'partition', 'block_size')
#: ``selector`` names of earlier releases as (criterion, diversity).
SELECTOR_NAMES = dict(dpp=('easiness', 'dpp'), random=('random', 'none'))


def nest_flat_args(scorer: Optional[dict], candidates: Optional[dict],
                   selector, flat: dict) -> Tuple[dict, dict, dict]:
    """The component configs of ``SAKDHook`` with its flat arguments
    (``flat``) and a ``selector`` name merged in; each flat argument
    overrides the component's key and warns with that key.

    Args:
        scorer (dict, optional): ``SAKDHook``'s ``scorer``.
        candidates (dict, optional): Its ``candidates``.
        selector (dict | str, optional): Its ``selector``, or a name of
            :data:`SELECTOR_NAMES`.
        flat (dict): The other keyword arguments.

    Returns:
        tuple[dict, dict, dict]: ``scorer``, ``candidates``, ``selector``.
    """
    unknown = sorted(set(flat) - set(FLAT_ARGS))
    if unknown:
        raise TypeError(f'SAKDHook got unexpected arguments {unknown}')
    parts = dict(
        scorer=copy.deepcopy(scorer) or dict(),
        candidates=copy.deepcopy(candidates) or dict(),
        selector=dict())
    if isinstance(selector, str):
        if selector not in SELECTOR_NAMES:
            raise ValueError(f'selector must be one of '
                             f'{sorted(SELECTOR_NAMES)} or a dict, got '
                             f'{selector!r}')
        _warn('selector', "selector=dict(type='DPPSelector' or "
              "'RandomSelector')")
        criterion, diversity = SELECTOR_NAMES[selector]
        parts['selector'] = dict(
            type='DPPSelector' if diversity == 'dpp' else 'TopKSelector',
            criterion=criterion)
    elif selector is not None:
        parts['selector'] = copy.deepcopy(selector)
    for part, default in DEFAULT_TYPES.items():
        parts[part].setdefault('type', default)
    if parts['selector']['type'] == 'RandomSelector' and (
            'criterion' in flat or 'diversity' in flat):
        # The same selection, with a criterion a flat argument can change.
        parts['selector'] = dict(type='TopKSelector', criterion='random')
    # None was their default: the selector's own.
    flat = {
        name: value
        for name, value in flat.items()
        if not (value is None and name in ('criterion', 'diversity'))
    }
    for name, value in flat.items():
        part, key = FLAT_ARGS[name]
        _warn(
            name, "selector.type ('DPPSelector' for 'dpp', 'TopKSelector' "
            "for 'none')" if name == 'diversity' else f'{part}.{key}')
        if name == 'diversity':
            if value not in ('dpp', 'none'):
                raise ValueError(
                    f"diversity must be 'dpp' or 'none', got {value!r}")
            value = 'DPPSelector' if value == 'dpp' else 'TopKSelector'
        parts[part][key] = value
    # Flat keys that the chosen components do not read were ignored by
    # earlier releases; they still are (after their checks).
    pool_keys = [
        k for k in ('pool_factor', 'pool_random', 'reuse_train_losses')
        if k in flat
    ]
    if parts['candidates']['type'] == 'AllSamples' and (
            flat.get('pool_factor') is not None
            or flat.get('reuse_train_losses')):
        parts['candidates']['type'] = 'CandidatePool'
    if parts['candidates']['type'] == 'AllSamples':
        CandidatePool(**{k: parts['candidates'].pop(k) for k in pool_keys})
    if parts['selector']['type'] != 'DPPSelector':
        # A flat diversity that leaves greedy DPP leaves its keys too.
        switched = 'diversity' in flat
        for key in DPP_KEYS:
            if key in flat or switched:
                parts['selector'].pop(key, None)
    return parts['scorer'], parts['candidates'], parts['selector']


def _warn(name: str, new: str) -> None:
    warnings.warn(
        f'SAKDHook({name}=...) is deprecated: set '
        f'default_hooks.sakd.{new} instead', DeprecationWarning)
