"""Find the videos of an annotation list that training cannot decode.

    python tools/data/check_videos.py ANN_FILE --data-prefix DIR \
        [--workers N] [--out clean_list.txt]

(also ``python -m mmsakd.tools.check_videos`` from an installed package).

Each listed video is opened with MMAction2's ``DecordInit``, the transform
that training, scoring and validation use, and every frame is decoded in
chunks with the reader's ``get_batch``, which ``DecordDecode`` calls: a
header probe would pass a truncated file whose later frames fail. A video is
bad when its file is missing or empty, when decord cannot open it, when it
has no frames, or when a frame fails to decode. The bad ones are printed
with their line in the list and the reason; ``--out`` writes the list
without them, each kept line unchanged. The exit status is 1 when any video
is bad, 0 otherwise.

Videos are checked in parallel worker processes (mmengine's
``track_parallel_progress``, with a progress bar); decoding is per video,
so the pool is the parallelism that decord's per-reader threads lack.
"""
import argparse
import os
import os.path as osp
import sys
import time
from typing import List, NamedTuple, Optional, Sequence

from mmengine.utils import track_parallel_progress, track_progress

#: Frames decoded per ``get_batch`` call: bounds the memory of a long video.
CHUNK_FRAMES = 64


class Entry(NamedTuple):
    """One video of the annotation list."""
    line: int  # 1-based line number in the list
    text: str  # the line as written, without its newline
    path: str  # the video file, data prefix joined


class Result(NamedTuple):
    """What checking one video found."""
    frames: int
    error: Optional[str]  # None: every frame decoded


def read_list(ann_file: str,
              data_prefix: str = '',
              delimiter: str = ' ') -> List[Entry]:
    """The videos of a ``VideoDataset`` annotation list, with their lines.

    The file name is the first field of each line, as ``VideoDataset``
    reads it; blank lines are skipped.

    Args:
        ann_file (str): The annotation list.
        data_prefix (str): Folder the file names are relative to.
            Defaults to ''.
        delimiter (str): Field separator of the list. Defaults to ' '.

    Returns:
        list[Entry]: One per non-blank line, in order.
    """
    entries = []
    with open(ann_file) as f:
        for number, line in enumerate(f, start=1):
            text = line.rstrip('\n')
            if not text.strip():
                continue
            name = text.strip().split(delimiter)[0]
            entries.append(Entry(number, text, osp.join(data_prefix, name)))
    return entries


def check_video(path: str) -> Result:
    """Open ``path`` as training does and decode every frame.

    Args:
        path (str): The video file.

    Returns:
        Result: The number of frames, and the reason it is bad (None if it
        is not).
    """
    from mmaction.datasets.transforms import DecordInit

    if not osp.isfile(path):
        return Result(0, 'missing file')
    if osp.getsize(path) == 0:
        return Result(0, 'empty file (0 bytes)')
    try:
        reader = DecordInit().transform(dict(filename=path))['video_reader']
    except Exception as err:  # decord raises its own DECORDError
        return Result(0, f'cannot open: {_message(err)}')
    total = len(reader)
    if total == 0:
        return Result(0, 'no frames')
    for start in range(0, total, CHUNK_FRAMES):
        indices = list(range(start, min(start + CHUNK_FRAMES, total)))
        try:
            reader.get_batch(indices).asnumpy()
        except Exception as err:
            return Result(
                total, f'frames {indices[0]}-{indices[-1]} of {total} fail '
                f'to decode: {_message(err)}')
    return Result(total, None)


def _message(err: Exception) -> str:
    """The first line of an error, with its type."""
    text = str(err).strip().splitlines()
    return f'{type(err).__name__}: {text[0] if text else ""}'.rstrip(': ')


def check_videos(entries: Sequence[Entry], workers: int = 1) -> List[Result]:
    """:func:`check_video` of every entry, in order, with a progress bar.

    Args:
        entries (Sequence[Entry]): The videos.
        workers (int): Worker processes, >= 1; 1 checks in this process.
            Defaults to 1.

    Returns:
        list[Result]: One per entry.
    """
    paths = [entry.path for entry in entries]
    if not paths:
        return []
    if workers == 1:
        return track_progress(check_video, paths, file=sys.stderr)
    return track_parallel_progress(
        check_video,
        paths,
        min(workers, len(paths)),
        chunksize=1,
        file=sys.stderr)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Decode every frame of every video of an annotation '
        'list, as training reads them, and report the ones that fail.')
    parser.add_argument('ann_file', help='annotation list (VideoDataset)')
    parser.add_argument(
        '--data-prefix',
        default='',
        help='folder the file names of the list are relative to '
        '(data_prefix.video of the dataset config)')
    parser.add_argument(
        '--workers',
        type=int,
        default=min(8,
                    os.cpu_count() or 1),
        help='parallel worker processes (default: %(default)s)')
    parser.add_argument(
        '--out', help='write the list without the bad videos to this file')
    parser.add_argument(
        '--delimiter',
        default=' ',
        help='field separator of the list (default: a space)')
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f'--workers must be >= 1, got {args.workers}')
    if not osp.isfile(args.ann_file):
        parser.error(f'annotation list not found: {args.ann_file}')
    if args.data_prefix and not osp.isdir(args.data_prefix):
        parser.error(f'--data-prefix is not a folder: {args.data_prefix}')
    if args.out and osp.abspath(args.out) == osp.abspath(args.ann_file):
        parser.error('--out must not overwrite the annotation list')
    return args


def main(argv=None) -> int:
    """Run from the command line; returns the exit status."""
    args = parse_args(argv)
    entries = read_list(args.ann_file, args.data_prefix, args.delimiter)
    start = time.perf_counter()
    results = check_videos(entries, args.workers)
    seconds = time.perf_counter() - start
    bad = [(entry, result) for entry, result in zip(entries, results)
           if result.error is not None]
    for entry, result in bad:
        print(f'{args.ann_file}:{entry.line}: {entry.path}: {result.error}')
    frames = sum(result.frames for result in results)
    seconds = max(seconds, 1e-9)
    print(f'{len(entries)} videos checked, {len(bad)} bad; {frames} frames '
          f'decoded in {seconds:.1f} s ({len(entries) / seconds:.1f} '
          f'videos/s, {frames / seconds:.0f} frames/s, {args.workers} '
          'workers)')
    if args.out:
        bad_lines = {entry.line for entry, _ in bad}
        out_dir = osp.dirname(osp.abspath(args.out))
        os.makedirs(out_dir, exist_ok=True)
        tmp = f'{args.out}.tmp'
        with open(tmp, 'w') as f:
            for entry in entries:
                if entry.line not in bad_lines:
                    f.write(entry.text + '\n')
        os.replace(tmp, args.out)  # never a half-written list
        print(f'{len(entries) - len(bad)} videos written to {args.out}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
