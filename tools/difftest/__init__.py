"""Differential testing: run an Alembic migration project under Alembic 1.20 and under dbshift.

``python -m tools.difftest DIR_OR_INI --backend sqlite|postgresql|mariadb`` (or ``--chain NAME``
for a real chain fetched from PyPI). Dev tooling only: the dbshift package never imports it.

Modules: ``runner`` (subprocess runs per tool), ``reflect`` (standalone schema → JSON script run in
each virtualenv), ``compare`` (checks and report), ``databases`` (fresh databases), ``chains``
(real chains from PyPI wheels), ``dbshift_main`` (dbshift CLI with the ``alembic`` alias).
"""
