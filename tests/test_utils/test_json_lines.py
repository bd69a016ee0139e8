import json

import pytest

from mmsakd.utils import append_json_line, iter_json_lines, read_json_lines


def test_append_then_read(tmp_path):
    path = str(tmp_path / 'log.jsonl')
    records = [dict(round=1, kept=[1, 2]), dict(round=2, kept=[])]
    for record in records:
        append_json_line(path, record)
    assert read_json_lines(path) == records
    assert open(path).read() == ''.join(json.dumps(r) + '\n' for r in records)


def test_a_torn_last_line_is_skipped_and_then_dropped(tmp_path):
    """A writer killed mid-line leaves a fragment without its newline:
    readers skip it, and the next append replaces it instead of continuing
    it."""
    path = tmp_path / 'log.jsonl'
    whole = json.dumps(dict(round=1)) + '\n'
    path.write_text(whole + '\n' + '{"round": 2, "ke')
    assert read_json_lines(str(path)) == [dict(round=1)]
    assert list(iter_json_lines(str(path))) == [(1, dict(round=1))]
    append_json_line(str(path), dict(round=2))
    assert path.read_text() == whole + '\n' + json.dumps(dict(round=2)) + '\n'
    assert read_json_lines(str(path)) == [dict(round=1), dict(round=2)]


def test_a_complete_last_line_without_newline_is_read(tmp_path):
    path = tmp_path / 'log.jsonl'
    path.write_text('{"a": 1}\n\n{"a": 2}')
    assert list(iter_json_lines(str(path))) == [(1, dict(a=1)), (3, dict(a=2))]
    append_json_line(str(path), dict(a=3))
    # A whole last line is kept, not taken for a torn one.
    assert read_json_lines(str(path)) == [dict(a=1), dict(a=2), dict(a=3)]


def test_malformed_complete_line_is_an_error(tmp_path):
    path = tmp_path / 'log.jsonl'
    path.write_text('{"a": 1}\nnot json\n{"a": 2}\n')
    with pytest.raises(ValueError, match=r'log\.jsonl, line 2: malformed'):
        read_json_lines(str(path))
