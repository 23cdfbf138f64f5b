"""A scratch migration project whose revisions are written from strings, and lint runs on it."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LintProject:
    monkeypatch.chdir(tmp_path)
    return LintProject(tmp_path)


def rules(findings: list[Finding], *, suppressed: bool = False) -> list[str]:
    """The rule ids of the findings (suppressed ones only with ``suppressed=True``)."""
    return [f.rule for f in findings if suppressed or f.suppressed is None]


def by_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def lint_body(
    project: LintProject,
    body: str,
    *,
    dialect: str = "postgresql",
    server_version: str | None = None,
    setup: str | None = None,
) -> list[Finding]:
    """Findings of one revision ``body`` (after an optional ``setup`` revision creating the
    tables it works on), checked offline for ``dialect``; only the last revision counts."""
    if setup is not None:
        project.revision("r0setup", setup)
    project.revision("r1body", body)
    found = project.lint("r1body", dialect=dialect, server_version=server_version)
    return [f for f in found if f.revision == "r1body"]


def line_of(project: LintProject, rev: str, snippet: str) -> int:
    """The line number of the first line of revision ``rev`` that contains ``snippet``."""
    lines = (project.versions / f"{rev}_step.py").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if snippet in line)


TABLE_T = 'op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("c", sa.String(20)))'
