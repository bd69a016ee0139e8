"""Test a checkpoint from a clone: ``python tools/test.py CONFIG CKPT``.

The implementation is :mod:`mmsakd.tools.test` (also ``python -m
mmsakd.tools.test`` from an installed package).
"""
import os.path as osp
import sys

# The checkout's mmsakd, also when another one is installed.
sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..')))

from mmsakd.tools.test import main

if __name__ == '__main__':
    main()
