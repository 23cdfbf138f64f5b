"""The lint configuration: ``[dbshift.lint]`` in the ini file, ``[tool.dbshift.lint]`` in
``pyproject.toml`` (the ini file wins where both set a key).

Keys are rule ids mapped to ``error``, ``warning``, ``info`` or ``off``, plus ``dialect`` and
``server_version`` (what an offline run checks for when the command line does not say)::

    [dbshift.lint]
    drop-column-breaks-code = error
    raw-sql-not-analysed = off
    server_version = 14
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...util.exc import CommandError
from .findings import SEVERITIES, Finding
from .rules.catalog import RULES

if TYPE_CHECKING:
    from ...config import Config

__all__ = ["LintSettings", "parse_server_version", "read_settings"]

_OTHER_KEYS = ("dialect", "server_version")


@dataclass
class LintSettings:
    """Severity per rule (``off`` drops the rule's findings) and the offline defaults."""

    severities: dict[str, str] = field(default_factory=dict)
    dialect: str | None = None
    server_version: str | None = None

    def apply(self, findings: list[Finding]) -> list[Finding]:
        """The findings with configured severities; those of rules turned off left out."""
        kept: list[Finding] = []
        for finding in findings:
            severity = self.severities.get(finding.rule)
            if severity == "off":
                continue
            if severity is not None:
                finding.severity = severity
            kept.append(finding)
        return kept


def parse_server_version(text: str | None) -> tuple[int, ...] | None:
    """``"15.4"`` -> ``(15, 4)``; None for None or ``latest``."""
    if text is None or str(text).strip().lower() in ("", "latest"):
        return None
    parts = str(text).strip().split(".")
    try:
        return tuple(int(part) for part in parts)
    except ValueError:
        raise CommandError(
            f"server version {text!r} is not a version number such as 15 or 8.0.32"
        ) from None


def _toml_lint_table(config: Config) -> dict[str, Any]:
    name = getattr(config, "toml_file_name", None)
    if not name or not os.path.isfile(name):
        return {}
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(name, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    table = data.get("tool", {}).get("dbshift", {}).get("lint", {})
    return table if isinstance(table, dict) else {}


def _ini_lint_section(config: Config) -> dict[str, Any]:
    try:
        section = config.get_section("dbshift.lint")
    except Exception:
        return {}
    if not section:
        return {}
    defaults = set(getattr(config, "config_args", {}) or {})
    return {k: v for k, v in section.items() if k not in defaults}


def read_settings(config: Config | None) -> LintSettings:
    """The lint settings of ``config``; a CommandError names a bad key or value."""
    settings = LintSettings()
    if config is None:
        return settings
    values = {**_toml_lint_table(config), **_ini_lint_section(config)}
    for key, value in values.items():
        if key in _OTHER_KEYS:
            setattr(settings, key, str(value))
            continue
        if key not in RULES:
            raise CommandError(
                f"[dbshift.lint] {key}: no such lint rule (rules: {', '.join(sorted(RULES))})"
            )
        severity = str(value).strip().lower()
        if severity not in (*SEVERITIES, "off"):
            raise CommandError(
                f"[dbshift.lint] {key} = {value}: use error, warning, info or off"
            )
        settings.severities[key] = severity
    return settings
