#!/usr/bin/env bash
# Dev/CI tooling for tests/compat/test_real_chains.py: fetch the real chains of tools/difftest into
# the cache (~/.cache/dbshift-difftest, or $DBSHIFT_DIFFTEST_CACHE) ahead of the tests. Wheels are
# unpacked; chains whose revisions import their application (airflow, prefect) get it installed
# with its dependencies by `pip install --target` (a minute or two each, once). Safe to run again:
# what is cached is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
"$PY" -m tools.difftest --fetch
