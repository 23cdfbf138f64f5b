#!/usr/bin/env bash
# Dev/CI tooling for tests/ecosystem: two virtualenvs with the Alembic ecosystem packages.
#   .venv-eco          dbshift (editable, from this checkout) + the packages, and NO Alembic:
#                      `import alembic` there is served by dbshift's alias. The packages declare
#                      `alembic` as a requirement, so they go in with --no-deps and their other
#                      requirements are installed by name.
#   .venv-eco-alembic  the same packages with Alembic 1.20.1, the reference the tests compare with.
#   .venv-eco-both     Alembic 1.20.1 and dbshift side by side, dbshift installed from a wheel
#                      (not editable): each tool must run a project with its own `alembic`.
#                      Reinstalled on every run, as it does not follow the checkout.
# Safe to run again. The venvs are gitignored (.venv-*).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PIP_FLAGS=(-q --disable-pip-version-check)
# .venv-eco lacks the `alembic` the packages declare, on purpose: no conflict warnings about it.
ECO_PIP_FLAGS=("${PIP_FLAGS[@]}" --no-warn-conflicts)

ALEMBIC=alembic==1.20.1
# The ecosystem packages (all declare `alembic` as a requirement).
ECO_PACKAGES=(
  Flask-Migrate==4.1.0
  pytest-alembic==0.13.1
  alembic_utils==0.8.8
  alembic-postgresql-enum==1.11.0
)
# Their other requirements (none of them requires Alembic).
ECO_REQUIREMENTS=(
  Flask==3.1.3
  Flask-SQLAlchemy==3.1.1
  flupy==1.2.5
  parse==1.22.4
  # pytest-alembic 0.13.1's collector breaks on pytest 9.2 ('TestCollector' has no '_nodeid').
  pytest==9.1.1
)

make_venv() {
  if [ ! -x "$1/bin/python" ]; then
    "$PY" -m venv "$1"
  fi
}

make_venv .venv-eco
.venv-eco/bin/python -m pip install "${ECO_PIP_FLAGS[@]}" -e ".[test]" "${ECO_REQUIREMENTS[@]}"
.venv-eco/bin/python -m pip install "${ECO_PIP_FLAGS[@]}" --no-deps "${ECO_PACKAGES[@]}"
if .venv-eco/bin/python -m pip show -q alembic >/dev/null 2>&1; then
  echo "setup_ecosystem_venvs: .venv-eco must not contain Alembic" >&2
  exit 1
fi

# The reference gets the same SQLAlchemy as the dbshift venv, so only the migration tool differs.
SQLALCHEMY=$(.venv-eco/bin/python -c "import sqlalchemy; print(sqlalchemy.__version__)")
make_venv .venv-eco-alembic
.venv-eco-alembic/bin/python -m pip install "${PIP_FLAGS[@]}" \
  "$ALEMBIC" "SQLAlchemy==$SQLALCHEMY" "${ECO_REQUIREMENTS[@]}" "${ECO_PACKAGES[@]}" \
  psycopg2-binary pymysql

# Side by side: Alembic first, then dbshift's wheel, built from this checkout.
make_venv .venv-eco-both
# (Alembic already brings Mako and typing-extensions, dbshift's other requirements.)
.venv-eco-both/bin/python -m pip install "${PIP_FLAGS[@]}" "$ALEMBIC" "SQLAlchemy==$SQLALCHEMY"
# setuptools builds in ./build and keeps what it copied there before: a module deleted or moved
# in the checkout would still be in the wheel. Start from an empty build folder.
rm -rf build
.venv-eco-both/bin/python -m pip install "${PIP_FLAGS[@]}" --force-reinstall --no-deps .
