"""The groups of a video dataset's clips: clips cut from one long video.

UCF101 names its clips ``v_<Class>_g<group>_c<clip>.avi``: the 4-7 clips of
a group come from one video (same actor, background and viewpoint), and its
split 1 keeps the groups of training and testing apart (Soomro et al.,
2012). The grouped synthetic data (:mod:`mmsakd.datasets.synthetic`) names
its clips the same way. A group is told by a clip's path up to its group
number (``ApplyEyeMakeup/v_ApplyEyeMakeup_g08``), since UCF101 numbers the
groups of each class from 1 and puts the class in the name.
"""
import re
from typing import Hashable, List, Sequence

#: The group and clip numbers in a clip's file name, as UCF101 writes them.
GROUP_PATTERN = r'_g(\d+)_c(\d+)'


def clip_groups(ann_file: str, pattern: str = GROUP_PATTERN) -> List[str]:
    """The group of every clip of an MMAction2 annotation list.

    Only the first field of a line, the clip's path, is read, so video
    lists (``path label``), rawframe lists (``path frames label``) and
    multi-label lists all work.

    Args:
        ann_file (str): The list, one clip per line.
        pattern (str): A regular expression whose first group captures the
            group number in a clip's path. Defaults to ``GROUP_PATTERN``.

    Returns:
        list[str]: Per clip, in order, its path up to the end of the group
        number.

    Raises:
        ValueError: Naming the file and line of a path without a group.
    """
    regex = re.compile(pattern)
    groups = []
    with open(ann_file) as f:
        for line_no, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            match = regex.search(fields[0])
            if match is None:
                raise ValueError(
                    f'{ann_file}:{line_no}: no group in {fields[0]!r} '
                    f'(expected a name matching {pattern!r}, as UCF101\'s '
                    '"v_<Class>_g08_c01.avi")')
            groups.append(fields[0][:match.end(1)])
    return groups


def group_indices(groups: Sequence[Hashable]) -> List[int]:
    """Number the distinct groups from 0 in order of first appearance.

    Args:
        groups (Sequence): A group key per clip, e.g. :func:`clip_groups`'.

    Returns:
        list[int]: The group index of every clip.
    """
    index = {}
    return [index.setdefault(key, len(index)) for key in groups]
