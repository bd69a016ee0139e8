"""The groups of a video dataset's clips: clips cut from one long video.

UCF101 names its clips ``v_<Class>_g<group>_c<clip>.avi``: the 4-7 clips of
a group come from one video (same actor, background and viewpoint), and its
split 1 keeps the groups of training and testing apart (Soomro et al.,
2012). The grouped synthetic data (:mod:`mmsakd.datasets.synthetic`) names
its clips the same way. A group is told by its class and its number, since
UCF101 numbers the groups of each class from 1.
"""
import re
from typing import List, Tuple

from mmsakd.datasets.synthetic.annotations import read_annotations

#: The group and clip numbers in a clip's file name, as UCF101 writes them.
GROUP_PATTERN = r'_g(\d+)_c(\d+)'


def clip_groups(ann_file: str,
                pattern: str = GROUP_PATTERN) -> List[Tuple[int, int]]:
    """The group of every clip of a ``VideoDataset`` annotation list.

    Args:
        ann_file (str): The list, ``<path> <label>`` per line.
        pattern (str): A regular expression whose first group captures the
            group number in a clip's path. Defaults to ``GROUP_PATTERN``.

    Returns:
        list[tuple[int, int]]: ``(label, group number)`` per line, in
        order.

    Raises:
        ValueError: Naming the file and line of a path without a group.
    """
    regex = re.compile(pattern)
    groups = []
    for line_no, (path, label) in enumerate(read_annotations(ann_file), 1):
        match = regex.search(path)
        if match is None:
            raise ValueError(f'{ann_file}:{line_no}: no group in {path!r} '
                             f'(expected a name matching {pattern!r}, as '
                             'UCF101\'s "v_<Class>_g08_c01.avi")')
        groups.append((label, int(match.group(1))))
    return groups


def group_indices(groups: List[Tuple[int, int]]) -> List[int]:
    """Number the distinct groups from 0 in order of first appearance.

    Args:
        groups (list[tuple[int, int]]): :func:`clip_groups`' result.

    Returns:
        list[int]: The group index of every clip.
    """
    index = {}
    return [index.setdefault(key, len(index)) for key in groups]
