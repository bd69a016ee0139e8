"""Find the videos of an annotation list that training cannot decode, from
a clone: ``python tools/data/check_videos.py ANN_FILE --data-prefix DIR``.

The implementation is :mod:`mmsakd.tools.check_videos` (also ``python -m
mmsakd.tools.check_videos`` from an installed package).
"""
import os.path as osp
import sys

# The checkout's mmsakd, also when another one is installed.
sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

from mmsakd.tools.check_videos import main

if __name__ == '__main__':
    sys.exit(main())
