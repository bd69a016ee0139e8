"""A SAKD round in registered parts: the per-sample state, the round
schedule, the candidates, the scorer, the selector, the runner-free round
and its log record."""
from .candidates import AllSamples, CandidatePool, Candidates
from .log import round_message, round_record
from .round import RoundResult, SAKDRound
from .schedule import RoundSchedule
from .scorer import InterruptionScorer
from .selectors import DPPSelector, RandomSelector, TopKSelector
from .state import SAKDState

__all__ = [
    'AllSamples', 'CandidatePool', 'Candidates', 'round_message',
    'round_record', 'RoundResult', 'SAKDRound', 'RoundSchedule',
    'InterruptionScorer', 'DPPSelector', 'RandomSelector', 'TopKSelector',
    'SAKDState'
]
