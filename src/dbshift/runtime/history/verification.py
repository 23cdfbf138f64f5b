"""Recorded checksums against revision files: which applied revisions changed since.

The recorded checksum of a revision is that of its newest history row that applied it or
recorded a checksum for it (``upgrade``/``adopt``/``accept``); a later successful ``downgrade``
forgets it. The applied revisions are the version table's heads and their ancestors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...util.exc import CommandError
from .checksums import file_checksum

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ...script.directory import ScriptDirectory
    from .table import HistoryRow

__all__ = ["RevisionCheck", "check_applied", "recorded_checksums"]

#: ``ok``: file as recorded; ``changed``: it differs; ``unrecorded``: no checksum yet (applied
#: before dbshift kept history: adopted by the next run); ``missing``: no file for the revision.
STATUSES = ("ok", "changed", "unrecorded", "missing")


@dataclass(frozen=True)
class RevisionCheck:
    """One applied revision's file against its recorded checksum."""

    revision: str
    path: str | None
    status: str
    recorded: str | None
    current: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "path": self.path,
            "status": self.status,
            "recorded_checksum": self.recorded,
            "file_checksum": self.current,
        }


def recorded_checksums(rows: Iterable[HistoryRow]) -> dict[str, str]:
    """The recorded checksum per revision (see the module docstring); ``rows`` oldest first."""
    recorded: dict[str, str] = {}
    for row in rows:
        if row.direction == "downgrade" and row.outcome == "ok":
            recorded.pop(row.revision, None)
        elif row.checksum and row.outcome in ("ok", "adopted", "accepted"):
            recorded[row.revision] = row.checksum
    return recorded


def applied_revisions(script: ScriptDirectory, heads: Sequence[str]) -> list[str]:
    """The revisions the heads apply, oldest first (base to heads), in a stable order."""
    if not heads:
        return []
    for head in heads:
        try:
            found = script.get_revision(head)
        except Exception:
            found = None
        if found is None:
            raise CommandError(
                f"Revision {head} is applied (the version table holds it) but no revision file "
                "declares it: was its file deleted? Nothing was changed"
            )
    ids = script.revision_map.ancestors_of(heads)
    order = {rev.revision: i for i, rev in enumerate(script.walk_revisions())}
    return sorted(ids, key=lambda rev: (-order.get(rev, -1), rev))


def check_applied(
    script: ScriptDirectory, heads: Sequence[str], recorded: dict[str, str]
) -> list[RevisionCheck]:
    """Every applied revision's check, oldest first."""
    checks = []
    for rev in applied_revisions(script, heads):
        found = script.get_revision(rev)
        path = getattr(found, "path", None)
        current = None
        if path is not None:
            try:
                current = file_checksum(path)
            except OSError:
                current = None
        old = recorded.get(rev)
        if current is None:
            status = "missing"
        elif old is None:
            status = "unrecorded"
        else:
            status = "ok" if old == current else "changed"
        checks.append(RevisionCheck(rev, path, status, old, current))
    return checks


def changed_message(checks: Iterable[RevisionCheck], table: str) -> str:
    """The one-line refusal for changed or missing revision files."""
    parts = []
    for check in checks:
        if check.status == "changed":
            parts.append(f"{check.path} (revision {check.revision})")
        elif check.status == "missing":
            parts.append(f"revision {check.revision} (its file is gone)")
    return (
        f"Applied revision file(s) changed since they were recorded in {table}: "
        f"{', '.join(parts)}. Nothing was run; restore them, or run with --allow-changed "
        "(this run only), or record the files as they are with `dbshift verify --accept REV`"
    )
