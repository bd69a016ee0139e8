"""The record of a round (``sakd_rounds.jsonl``) and its log line, for a
state whose figures are counted by hand."""
import pytest
import torch

from mmsakd.engine.sakd import (RoundResult, SAKDState, round_message,
                                round_record)
from mmsakd.utils import append_json_line, read_sakd_rounds

LABELS = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
# No value on an inner bin edge: bins [0, .1), ..., [.9, 1] hold 2, 2, 0,
# 2, 0, 2, 0, 0, 0, 2 of them; the mean is 4 / 10.
ALPHA = [0., 0.05, 0.12, 0.15, 0.35, 0.52, 0.55, 0.95, 1.0, 0.31]
HIST = [2, 2, 0, 2, 0, 2, 0, 0, 0, 2]


def _state():
    state = SAKDState(10)
    state.alpha = torch.tensor(ALPHA)
    # Six samples never selected.
    state.omega = torch.tensor([0, 1, 0, 2, 0, 0, 1, 0, 0, 3])
    state.subset = [3, 1, 9]
    state.rounds = 5
    return state


def _result(rate=0.3057468373383929, reused=2):
    return RoundResult(
        epoch=4,
        rate=rate,
        ratio=0.3,
        scored=8,
        reused=reused,
        skipped=[(7, 'unreadable')],
        score_time=1.23456,
        score_data_time=0.5004,
        select_time=0.04321)


def test_round_record():
    record = round_record(_result(), _state(), LABELS, 1, 0.5)
    # Means in float32.
    assert record.pop('alpha_mean') == pytest.approx(0.4, abs=1e-6)
    assert record.pop('never_selected') == pytest.approx(0.6, abs=1e-6)
    assert record == dict(
        epoch=4,
        round=5,
        interruption_rate=0.305747,
        interruption='dropout',
        score_time=1.235,
        score_data_time=0.5,
        select_time=0.043,
        ratio=0.3,
        subset_size=3,
        num_samples=10,
        scored=8,
        reused=2,
        skipped=1,
        alpha_min=0.,
        alpha_max=1.,
        classes_covered=3,
        num_classes=5,
        alpha_hist=HIST,
        selected=[3, 1, 9],
        selected_labels=[1, 0, 4])


@pytest.mark.parametrize('rate, kind', [(0., 'none'), (0.49, 'dropout'),
                                        (0.5, 'shuffle'), (0.9, 'shuffle')])
def test_interruption_kind(rate, kind):
    record = round_record(_result(rate), _state(), LABELS, 0, 0.5)
    assert record['interruption'] == kind


def test_round_message():
    record = round_record(_result(), _state(), LABELS, 1, 0.5)
    assert round_message(record) == (
        'SAKD round 5 (epoch 4): scored 8 samples in 1.2s (reused 2 '
        'training losses) (interruption dropout, rate 0.306), selected 3 in '
        '0.04s; alpha mean/min/max 0.400/0.000/1.000; never selected 60.0%; '
        'classes covered 3/5; 1 unreadable clips skipped')
    record = round_record(_result(reused=0), _state(), LABELS, 0, 0.5)
    assert round_message(record) == (
        'SAKD round 5 (epoch 4): scored 8 samples in 1.2s (interruption '
        'dropout, rate 0.306), selected 3 in 0.04s; alpha mean/min/max '
        '0.400/0.000/1.000; never selected 60.0%; classes covered 3/5')


def test_record_reads_back(tmp_path):
    records = [
        round_record(_result(), _state(), LABELS, 1, 0.5),
        round_record(_result(0.7), _state(), LABELS, 1, 0.5)
    ]
    records[1]['round'] = 6
    for record in records:
        append_json_line(str(tmp_path / 'sakd_rounds.jsonl'), record)
    assert read_sakd_rounds(str(tmp_path)) == records
