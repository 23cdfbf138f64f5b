"""Lint tests run on a scratch project (:mod:`tests.command.scratch_project`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbshift.command.lint import Finding

from ..scratch_project import LintProject


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
