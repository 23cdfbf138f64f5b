#!/usr/bin/env bash
# Fresh machine, no server needed: set up .venv, then run a real migration on SQLite:
# init a project, write one revision, upgrade to head, show it, downgrade and upgrade again.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
DBSHIFT="$root/.venv/bin/dbshift"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$DBSHIFT" init migrations
"$DBSHIFT" revision -m "create account table" --rev-id 0001
"$root/.venv/bin/python" - <<'PY'
import pathlib
path = next(pathlib.Path("migrations/versions").glob("0001_*.py"))
source = path.read_text()
source = source.replace('    """Apply this revision."""\n', "").replace(
    '    """Revert this revision."""\n', ""
)
source = source.replace(
    "def upgrade() -> None:\n    pass",
    "def upgrade() -> None:\n"
    "    op.create_table('account', sa.Column('id', sa.Integer, primary_key=True),\n"
    "                    sa.Column('name', sa.String(50), nullable=False))\n"
    "    op.add_column('account', sa.Column('email', sa.String(120)))",
).replace(
    "def downgrade() -> None:\n    pass",
    "def downgrade() -> None:\n    op.drop_table('account')",
)
assert "op.create_table" in source and "op.drop_table" in source, source
path.write_text(source)
PY
"$DBSHIFT" upgrade head
"$DBSHIFT" current
"$DBSHIFT" history
"$DBSHIFT" downgrade base
"$DBSHIFT" upgrade head
"$root/.venv/bin/python" - <<'PY'
import sqlite3
con = sqlite3.connect("app.db")
cols = [row[1] for row in con.execute("PRAGMA table_info(account)")]
version = con.execute("SELECT version_num FROM alembic_version").fetchall()
assert cols == ["id", "name", "email"], cols
assert version == [("0001",)], version
print(f"quickstart OK: account{tuple(cols)} at revision {version[0][0]}")
PY
