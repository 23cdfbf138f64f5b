"""``dbshift lint``: check migrations for operations that lock, rewrite or break running code.

Each revision's ``upgrade()`` runs in recording mode (:mod:`.recording`: no database, nothing
executed); the rules (:mod:`.rules`) check the operation objects it invoked, in order, knowing
what the revision did before each one; ``# dbshift: ignore[rule-id] reason`` comments
(:mod:`.suppression`) and ``[dbshift.lint]`` (:mod:`.settings`) adjust the result; the findings
(:mod:`.findings`) are printed one per line or as JSON. The command fails (exit status 1) when an
error finding remains.

Imports stay inside the function: ``dbshift --help`` must not load the rules.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from ...config import Config
    from .findings import Finding, LintFailed

__all__ = ["Finding", "LintFailed", "lint"]


def __getattr__(name: str) -> Any:
    # Finding and LintFailed load with the findings module, on first use (not for --help)
    if name in ("Finding", "LintFailed"):
        from . import findings

        return getattr(findings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def lint(
    config: Config,
    rev_range: str | None = None,
    since: str | None = None,
    dialect: str | None = None,
    server_version: str | None = None,
    url: str | None = None,
    output_format: str = "text",
) -> list[Finding]:
    """Check migrations for operations that lock, rewrite or break running code.

    Default revisions: those not applied yet when the database is reachable (through env.py,
    or --url), else all of them. ``--dialect``/``--server-version`` check offline for that
    database. Returns the findings; raises :class:`LintFailed` when an error finding remains.
    """
    from .command_run import run_lint

    return run_lint(
        config,
        rev_range=rev_range,
        since=since,
        dialect=dialect,
        server_version=server_version,
        url=url,
        output_format=output_format,
    )
