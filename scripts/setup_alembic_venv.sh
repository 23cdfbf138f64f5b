#!/usr/bin/env bash
# Dev tooling only: .venv-alembic holds Alembic 1.20.1, the reference the differential tests and
# benchmarks compare against. dbshift's own environment (.venv) never contains Alembic.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv-alembic/bin/python ]; then
  "$PY" -m venv .venv-alembic
fi
.venv-alembic/bin/python -m pip install -q --disable-pip-version-check \
  "alembic==1.20.1" psycopg2-binary pymysql
