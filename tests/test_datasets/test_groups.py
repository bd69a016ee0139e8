import pytest

from mmsakd.datasets.groups import clip_groups, group_indices


def test_reads_ucf101_names(tmp_path):
    ann = tmp_path / 'trainlist.txt'
    ann.write_text('ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 0\n'
                   'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c02.avi 0\n'
                   'Archery/v_Archery_g08_c01.avi 2\n'
                   '\n'
                   'ApplyEyeMakeup/v_ApplyEyeMakeup_g09_c01.avi 0\n')
    groups = clip_groups(str(ann))
    assert groups == [
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g08',
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g08', 'Archery/v_Archery_g08',
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g09'
    ]
    # Group 8 of another class is another group.
    assert group_indices(groups) == [0, 0, 1, 2]


def test_reads_rawframe_lists(tmp_path):
    ann = tmp_path / 'rawframes.txt'
    ann.write_text('Archery/v_Archery_g01_c01 120 2\n'
                   'Archery/v_Archery_g01_c02 98 2\n')
    assert group_indices(clip_groups(str(ann))) == [0, 0]


def test_clip_without_group_names_file_and_line(tmp_path):
    ann = tmp_path / 'train.txt'
    ann.write_text('train/train_g0000_c00.mp4 1\ntrain/train_00001.mp4 1\n')
    with pytest.raises(
            ValueError,
            match=r'train.txt:2: no group in '
            r"'train/train_00001.mp4'"):
        clip_groups(str(ann))
