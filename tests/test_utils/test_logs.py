"""The readers of the files runs write: the JSON-lines logs of the hooks as
the kill-safe writer leaves them, and the result files."""
import json

import pytest

import mmsakd.visualization as visualization
from mmsakd.utils import append_json_line
from mmsakd.utils.logs import (read_infobatch_epochs,
                               read_random_subset_rounds, read_results,
                               read_run_result, read_sakd_rounds,
                               read_train_time)

# reader, file name, hook named in the error, numbering key, first number,
# what an empty file lacks.
LOGS = [
    (read_sakd_rounds, 'sakd_rounds.jsonl', 'SAKDHook', 'round', 1,
     'selection round'),
    (read_train_time, 'train_time.jsonl', 'TrainTimeHook', 'epoch', 1,
     'epoch'),
    (read_infobatch_epochs, 'infobatch_epochs.jsonl', 'InfoBatchHook', 'epoch',
     0, 'epoch'),
    (read_random_subset_rounds, 'random_subset_rounds.jsonl',
     'RandomSubsetHook', 'round', 1, 'round'),
]
IDS = [log[1] for log in LOGS]


def write_log(path, records, torn=None):
    """``records`` as the hooks append them; ``torn``: a fragment left by a
    writer killed mid-line."""
    for record in records:
        append_json_line(str(path), record)
    if torn is not None:
        with open(path, 'a') as f:
            f.write(torn)
    return str(path)


@pytest.mark.parametrize('log', LOGS, ids=IDS)
def test_reads_file_or_work_dir_without_torn_line(tmp_path, log):
    reader, name, _, key, first, _ = log
    records = [{key: n, 'value': 10 * n} for n in range(first, first + 3)]
    path = write_log(tmp_path / name, records, torn='{"' + key + '": 9, "va')
    assert reader(path) == records
    assert reader(str(tmp_path)) == records


@pytest.mark.parametrize('log', LOGS, ids=IDS)
def test_resumed_records_supersede_the_abandoned_ones(tmp_path, log):
    reader, name, _, key, first, _ = log
    numbers = [first + k for k in range(4)]
    old = [{key: n, 'run': 'old'} for n in numbers]
    # Resumed from the state after the second record: the third and fourth
    # are redone, then one more.
    new = [{key: n, 'run': 'new'} for n in numbers[2:] + [first + 4]]
    assert reader(write_log(tmp_path / 'a.jsonl', old + new)) == old[:2] + new
    # The abandoned run's later records go too, reached again or not.
    assert reader(write_log(tmp_path / 'b.jsonl',
                            old + new[:1])) == old[:2] + new[:1]


@pytest.mark.parametrize('log', LOGS, ids=IDS)
def test_errors_name_the_file_and_line(tmp_path, log):
    reader, name, writer, key, first, what = log
    with pytest.raises(FileNotFoundError, match=f'{writer} writes {name}'):
        reader(str(tmp_path))
    empty = tmp_path / 'empty.jsonl'
    empty.write_text('\n  \n')
    with pytest.raises(ValueError, match=f'empty.jsonl: .* no {what}$'):
        reader(str(empty))
    good = json.dumps({key: first})
    for i, (line, message) in enumerate([
        ('{"a": ', r'line 2: malformed JSON'),
        ('[1, 2]', r'line 2: expected a JSON object, got list'),
        ('{"x": 1}', fr'line 2: "{key}" must be .* integer, got None'),
        (json.dumps({key: True}), fr'line 2: "{key}" .* got True'),
        (json.dumps({key: first - 1}), fr'line 2: "{key}" .* got {first - 1}'),
        (json.dumps({key: 1.0}), fr'line 2: "{key}" .* got 1.0'),
    ]):
        path = tmp_path / f'bad{i}.jsonl'
        path.write_text(f'{good}\n{line}\n{good}\n')
        with pytest.raises(ValueError, match=fr'bad{i}\.jsonl, {message}'):
            reader(str(path))


def test_run_result(tmp_path):
    summary = dict(name='kd', top1=51.5, curve=[dict(epoch=1, top1=51.5)])
    (tmp_path / 'run_result.json').write_text(json.dumps(summary))
    assert read_run_result(str(tmp_path)) == summary
    assert read_run_result(str(tmp_path / 'run_result.json')) == summary
    with pytest.raises(FileNotFoundError, match='nowhere'):
        read_run_result(str(tmp_path / 'nowhere'))
    bad = tmp_path / 'bad.json'
    bad.write_text('{"top1": ')
    with pytest.raises(ValueError, match=r'bad\.json: malformed JSON'):
        read_run_result(str(bad))
    bad.write_text('[]')
    with pytest.raises(ValueError, match=r'bad\.json: expected a JSON obj'):
        read_run_result(str(bad))


def test_results_runs_or_benchmark_rows(tmp_path):
    results = tmp_path / 'results.json'
    results.write_text(json.dumps({'settings': {}, 'runs': [{'name': 'a'}]}))
    assert read_results(str(results)) == [{'name': 'a'}]
    # A benchmark's results.json: its summary rows with their mean curves
    # and mean time ratios.
    curve = [dict(epoch=1, train_time=2., top1=40., top1_std=3.)]
    summary = dict(rows=[
        dict(run='kd', label='Vanilla KD', curve=curve, rel_time=[1., 0.]),
        dict(run='ce', curve=curve, rel_time=None)
    ])
    results.write_text(json.dumps(dict(summary=summary, records=[])))
    assert read_results(str(results)) == [
        dict(label='Vanilla KD', curve=curve, rel_time=1.),
        dict(label='ce', curve=curve, rel_time=None)
    ]
    with pytest.raises(FileNotFoundError, match='nowhere.json'):
        read_results(str(tmp_path / 'nowhere.json'))
    for text, message in (('{"runs": [}', 'malformed JSON'),
                          ('{"settings": {}}', 'non-empty "runs"'),
                          ('{"runs": []}', 'non-empty "runs"'),
                          ('{"summary": {"rows": []}}', 'non-empty "runs"')):
        results.write_text(text)
        with pytest.raises(ValueError, match=f'results.json: .*{message}'):
            read_results(str(results))


def test_former_names():
    assert visualization.load_rounds is read_sakd_rounds
    assert visualization.load_results is read_results
