"""Per-round and per-epoch logs as JSON lines that survive a kill.

A process killed in the middle of a write leaves a last line without its
newline. :func:`append_json_line` drops such a torn fragment (one that is
not valid JSON) before it appends, so that the next record does not
continue it, and syncs each line to disk. :func:`iter_json_lines` and
:func:`read_json_lines` skip a torn last line, and only that: malformed
JSON elsewhere is an error naming the file and the line. Written by hand
because MMEngine's ``dump`` writes whole files, not appended lines. The
reader of each log file (its record numbering, a resumed run's records) is
in :mod:`mmsakd.utils.logs`.
"""
import json
import os
from typing import Dict, Iterator, List, Tuple


def append_json_line(path: str, record: Dict) -> None:
    """Append ``record`` as one line of JSON, synced to disk.

    Args:
        path (str): The JSON-lines file, created if missing.
        record (dict): A JSON-serialisable object.
    """
    line = (json.dumps(record) + '\n').encode('utf-8')
    with open(path, 'a+b') as f:
        size = f.seek(0, os.SEEK_END)
        if size:
            f.seek(size - 1)
            if f.read(1) != b'\n':
                f.seek(0)
                data = f.read()
                start = data.rfind(b'\n') + 1
                try:
                    json.loads(data[start:])
                    line = b'\n' + line  # whole, only its newline missing
                except ValueError:
                    # A writer was killed mid-line: drop its fragment.
                    f.truncate(start)
        f.write(line)
        f.flush()
        os.fsync(f.fileno())


def iter_json_lines(path: str) -> Iterator[Tuple[int, object]]:
    """``(line number, object)`` of each line of a JSON-lines file, without
    blank lines and without a torn last line.

    Args:
        path (str): The file.

    Yields:
        tuple[int, object]: The 1-based line and its parsed JSON.

    Raises:
        ValueError: If a complete line is not valid JSON (the message names
            the file and the line number).
    """
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    # The text after the last newline is a record only if it parses (a file
    # written by hand may lack the final newline).
    tail = lines.pop()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f'{path}, line {number}: malformed JSON '
                             f'({err.msg}, column {err.colno})') from None
    if tail.strip():
        try:
            record = json.loads(tail)
        except json.JSONDecodeError:
            return  # torn by a kill mid-write
        yield len(lines) + 1, record


def read_json_lines(path: str) -> List:
    """The objects of :func:`iter_json_lines`, in order.

    Args:
        path (str): The file.

    Returns:
        list: One per complete line.
    """
    return [record for _, record in iter_json_lines(path)]
