"""Fill a config's teacher-output store from a clone: ``python
tools/precompute_teacher.py CONFIG``.

The implementation is :mod:`mmsakd.tools.precompute_teacher` (also ``python -m
mmsakd.tools.precompute_teacher`` from an installed package).
"""
import os.path as osp
import sys

# The checkout's mmsakd, also when another one is installed.
sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..')))

from mmsakd.tools.precompute_teacher import main

if __name__ == '__main__':
    main()
