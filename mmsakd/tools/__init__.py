"""Command-line entry points shipped with the package: ``python -m
mmsakd.tools.train`` and ``python -m mmsakd.tools.test`` (also installed as
``mmsakd-train`` and ``mmsakd-test``)."""
