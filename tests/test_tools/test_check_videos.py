"""tools/data/check_videos.py: every frame of every listed video is decoded
as training reads it; the bad videos are named with their line and reason,
and the clean list keeps the other lines as written."""
import os.path as osp
import shutil
import subprocess
import sys

import pytest
from helpers import REPO_ROOT

from mmsakd.tools import check_videos as tool

TOOL = osp.join(REPO_ROOT, 'tools', 'data', 'check_videos.py')


@pytest.fixture
def broken_list(tiny_data_root, tmp_path):
    """The tiny training list with a truncated, an empty and a missing
    video; returns (list, data prefix, {line: reason part})."""
    videos = tmp_path / 'videos'
    shutil.copytree(osp.join(tiny_data_root, 'videos'), videos)
    with open(osp.join(tiny_data_root, 'train.txt')) as f:
        lines = f.read().splitlines()
    truncated = videos / lines[1].split()[0]
    data = truncated.read_bytes()
    truncated.write_bytes(data[:len(data) // 2])
    (videos / lines[4].split()[0]).write_bytes(b'')
    lines.insert(6, 'train/not_there.mp4 2')
    ann = tmp_path / 'train.txt'
    ann.write_text('\n'.join(lines) + '\n')
    return str(ann), str(videos), {
        2: 'cannot open',
        5: 'empty file',
        7: 'missing file'
    }, lines


def _run(*args):
    return subprocess.run([sys.executable, TOOL, *args],
                          capture_output=True,
                          text=True,
                          cwd=REPO_ROOT,
                          timeout=300)


def test_finds_exactly_the_bad_videos(broken_list, tmp_path):
    ann, prefix, bad, lines = broken_list
    out = tmp_path / 'clean' / 'clean.txt'
    result = _run(ann, '--data-prefix', prefix, '--workers', '2', '--out',
                  str(out))
    assert result.returncode == 1, result.stderr[-2000:]
    reported = [
        line for line in result.stdout.splitlines()
        if line.startswith(ann + ':')
    ]
    assert len(reported) == len(bad)
    for line_number, reason in bad.items():
        name = lines[line_number - 1].split()[0]
        match = [r for r in reported if r.startswith(f'{ann}:{line_number}:')]
        assert len(match) == 1 and reason in match[0], reported
        assert osp.join(prefix, name) in match[0]
    assert f'{len(lines)} videos checked, 3 bad' in result.stdout
    kept = [line for i, line in enumerate(lines, 1) if i not in bad]
    assert out.read_text().splitlines() == kept
    # The clean list passes, in this process too.
    assert tool.main([str(out), '--data-prefix', prefix, '--workers',
                      '1']) == 0


def test_a_frame_that_fails_late_is_found(monkeypatch, tmp_path):
    """A file that opens (its header is whole) but whose later frames do
    not decode: the failing chunk is named."""

    class Reader:

        def __len__(self):
            return 100

        def get_batch(self, indices):
            if indices[-1] >= 70:
                raise RuntimeError('Error reading 4108 bytes\nmore')
            return self

        def asnumpy(self):
            return None

    class Init:

        def transform(self, results):
            return dict(results, video_reader=Reader())

    import mmaction.datasets.transforms as transforms
    monkeypatch.setattr(transforms, 'DecordInit', Init)
    video = tmp_path / 'v.mp4'
    video.write_bytes(b'x')
    result = tool.check_video(str(video))
    assert result.frames == 100
    assert result.error == ('frames 64-99 of 100 fail to decode: '
                            'RuntimeError: Error reading 4108 bytes')


@pytest.mark.parametrize('extra, message', [
    (['--workers', '0'], '--workers must be >= 1'),
    (['--data-prefix', '/no/such/dir'], '--data-prefix is not a folder'),
])
def test_usage_errors(tiny_data_root, extra, message):
    result = _run(osp.join(tiny_data_root, 'train.txt'), *extra)
    assert result.returncode == 2
    assert message in result.stderr


def test_never_overwrites_the_list(broken_list):
    ann = broken_list[0]
    before = open(ann).read()
    result = _run(ann, '--out', ann)
    assert result.returncode == 2 and 'must not overwrite' in result.stderr
    assert open(ann).read() == before
    result = _run(ann + '.missing')
    assert result.returncode == 2 and 'not found' in result.stderr
