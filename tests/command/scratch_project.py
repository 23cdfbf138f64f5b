"""A scratch migration project whose revisions are written from strings (lint, plan, trace)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from dbshift import command
from dbshift.command.lint import Finding, LintFailed
from dbshift.config import Config

ENV_PY = '''\
from sqlalchemy import engine_from_config, pool

from dbshift import context

config = context.config
connectable = engine_from_config(
    config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with connectable.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
'''

HEADER = '''\
"""{doc}"""
import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.dialects import postgresql

from alembic import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
'''


class LintProject:
    """``root/alembic.ini`` and ``root/migrations`` with revisions added one by one (each on top
    of the last)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions = root / "migrations" / "versions"
        self.versions.mkdir(parents=True)
        (root / "migrations" / "env.py").write_text(ENV_PY)
        self.url = f"sqlite:///{root / 'app.db'}"
        self.extra_ini = ""
        self.last: str | None = None
        self._write_ini()

    def _write_ini(self) -> None:
        (self.root / "alembic.ini").write_text(
            f"[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = {self.url}\n"
            + self.extra_ini
        )

    def set_url(self, url: str) -> None:
        self.url = url
        self._write_ini()

    def add_ini(self, text: str) -> None:
        self.extra_ini += text
        self._write_ini()

    def revision(self, rev: str, body: str, *, doc: str = "step") -> Path:
        """Add revision ``rev`` whose upgrade() runs ``body``; returns its path."""
        source = HEADER.format(doc=doc, rev=rev, down=self.last)
        source += textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "    ")
        source += "\n\ndef downgrade():\n    pass\n"
        path = self.versions / f"{rev}_step.py"
        path.write_text(source)
        self.last = rev
        return path

    def config(self) -> Config:
        return Config(str(self.root / "alembic.ini"))

    def lint(self, *args: Any, **kw: Any) -> list[Finding]:
        """The findings of ``command.lint`` (whether or not it failed)."""
        try:
            return command.lint(self.config(), *args, **kw)
        except LintFailed as failed:
            return failed.findings
