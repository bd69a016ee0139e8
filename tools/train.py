"""Train a recognizer or distiller from a clone: ``python tools/train.py``.

The implementation is :mod:`mmsakd.tools.train` (also ``python -m
mmsakd.tools.train`` from an installed package).
"""
import os.path as osp
import sys

# The checkout's mmsakd, also when another one is installed.
sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..')))

from mmsakd.tools.train import main

if __name__ == '__main__':
    main()
