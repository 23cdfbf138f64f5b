"""Lint findings and how they are shown: one line each, or JSON.

A :class:`Finding` names its rule, severity, revision, the file and line of the ``op.*`` call,
what is wrong and the safe way to do it. Text output is ``path:line rule-id message``; JSON
output is a list of objects with exactly the keys ``rule``, ``severity``, ``revision``, ``path``,
``line``, ``message``, ``fix`` (plus ``suppressed`` with the reason, for findings a
``# dbshift: ignore[...]`` comment suppressed).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from ...util.exc import CommandError

__all__ = [
    "SEVERITIES",
    "Finding",
    "LintFailed",
    "display_path",
    "findings_json",
    "findings_text",
]

#: The severities, most serious first; ``off`` in configuration turns a rule off.
SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    """One problem a rule found in one revision."""

    rule: str
    severity: str
    revision: str
    path: str
    line: int
    message: str
    fix: str
    suppressed: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The JSON object of this finding."""
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "revision": self.revision,
            "path": display_path(self.path),
            "line": self.line,
            "message": self.message,
            "fix": self.fix,
        }
        if self.suppressed is not None:
            data["suppressed"] = self.suppressed
        return data

    def as_text(self) -> str:
        """``path:line rule-id message``."""
        return f"{display_path(self.path)}:{self.line} {self.rule} {self.message}"


def display_path(path: str) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return path
    return path if relative.startswith("..") else relative


def findings_text(findings: list[Finding]) -> list[str]:
    """The text lines of the findings that are not suppressed."""
    return [f.as_text() for f in findings if f.suppressed is None]


def findings_json(findings: list[Finding]) -> str:
    """Every finding (suppressed ones included) as a JSON list."""
    return json.dumps([f.as_json() for f in findings], indent=2)


class LintFailed(CommandError):
    """``lint`` found error findings; ``findings`` holds every finding."""

    def __init__(self, message: str, findings: list[Finding]) -> None:
        super().__init__(message)
        self.findings = findings
