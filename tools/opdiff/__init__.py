"""opdiff: differential comparison of the offline SQL of every ``op`` directive, dbshift vs Alembic.

``cases.py`` holds the catalogue (plain data, importable without dbshift or Alembic), ``runner.py``
executes it under one implementation (also as ``python -m tools.opdiff.runner <flavour>`` inside
another virtualenv), ``compare.py`` normalises and diffs two runs and reads KNOWN_DIFFERENCES.md, and
``python -m tools.opdiff`` ties them together.
"""
