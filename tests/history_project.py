"""A migration project on disk for the applied-history tests: ``alembic.ini``, an ``env.py`` that
both dbshift and Alembic run, revisions written from statement lists, and the command line run
in-process."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dbshift.cli.main import main

ALEMBIC_VENV = Path(__file__).resolve().parents[1] / ".venv-alembic"

ENV_PY = '''\
from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config
connectable = engine_from_config(
    config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with connectable.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
'''

REVISION = '''\
"""{doc}

Revision ID: {rev}
Revises: {down}
Create Date: 2024-05-01 10:00:00.000000

"""
import sqlalchemy as sa

from alembic import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''


@dataclass
class Run:
    """What one command line printed and its exit status."""

    status: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Project:
    """``root/alembic.ini`` + ``root/migrations`` against the database at ``url``."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url
        self.versions = root / "migrations" / "versions"
        self.versions.mkdir(parents=True, exist_ok=True)
        (root / "migrations" / "env.py").write_text(ENV_PY)
        (root / "migrations" / "script.py.mako").write_text("")
        self.ini = root / "alembic.ini"
        self.extra = ""
        self._write_ini()
        self.last: str | None = None
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def _write_ini(self) -> None:
        self.ini.write_text(
            f"[alembic]\nscript_location = {self.root / 'migrations'}\n"
            f"sqlalchemy.url = {self.url}\n{self.extra}"
        )

    def set_option(self, line: str) -> None:
        self.extra += line + "\n"
        self._write_ini()

    def path(self, rev: str) -> Path:
        return self.versions / f"{rev}_step.py"

    def revision(
        self, rev: str, statements: list[str], downgrade: list[str] | None = None, doc: str = "step"
    ) -> Path:
        """Add ``rev`` on top of the last one: ``upgrade()`` runs ``statements`` (Python lines,
        e.g. ``op.execute(...)``)."""
        def body(lines: list[str] | None) -> str:
            return textwrap.indent("\n".join(lines) if lines else "pass", "    ")

        path = self.path(rev)
        path.write_text(
            REVISION.format(
                doc=doc, rev=rev, down=self.last, upgrade=body(statements),
                downgrade=body(downgrade),
            )
        )
        self.last = rev
        return path

    def run(self, *args: str) -> Run:
        """``dbshift -c alembic.ini ARGS`` in this process."""
        out, err = io.StringIO(), io.StringIO()
        status = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(["-c", str(self.ini), *args])
            except SystemExit as exit_:
                status = exit_.code if isinstance(exit_.code, int) else 1
        return Run(status, out.getvalue(), err.getvalue())

    def alembic(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Alembic 1.20 (the reference venv) on the same project."""
        return subprocess.run(
            [str(ALEMBIC_VENV / "bin" / "alembic"), "-c", str(self.ini), *args],
            capture_output=True, text=True, check=True, cwd=self.root,
        )

    # -- reading the database -----------------------------------------------------------------

    def tables(self) -> list[str]:
        return sorted(sa.inspect(self.engine).get_table_names())

    def versions_rows(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version"))

    def history(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT * FROM alembic_version_history ORDER BY id")
            return [dict(row._mapping) for row in rows]

    def scalar(self, sql: str) -> Any:
        with self.engine.connect() as conn:
            return conn.exec_driver_sql(sql).scalar()
