"""Which revisions ``lint`` checks: a range, those after a revision, those not applied yet, or
all of them; always in upgrade order (base first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...util.exc import CommandError

if TYPE_CHECKING:
    from ...script import Script, ScriptDirectory

__all__ = ["select_revisions"]


def select_revisions(
    script: ScriptDirectory,
    rev_range: str | None = None,
    since: str | None = None,
    heads: Sequence[str] | None = None,
) -> list[Script]:
    """The revisions to check, base first.

    ``rev_range``: ``start:end`` (both included, either may be left out), or one revision
    (``heads`` for the head revisions); ``since``: the revisions after that one up to the heads;
    ``heads`` (the database's current heads): the revisions not applied yet. With none of them,
    every revision.
    """
    if rev_range is not None and since is not None:
        raise CommandError("give either a revision range or --since, not both")
    if rev_range is not None:
        if ":" in rev_range:
            base, _, head = rev_range.strip().partition(":")
            found = script.walk_revisions(base=base or "base", head=head or "heads")
            return list(reversed(list(found)))
        return [rev for rev in script.get_revisions(rev_range) if rev is not None][::-1]
    if since is not None:
        start = script.get_revision(since)
        if start is None:
            raise CommandError(f"--since {since}: no such revision")
        found = script.walk_revisions(base=start.revision, head="heads")
        return [rev for rev in reversed(list(found)) if rev.revision != start.revision]
    if heads is not None:
        return list(script.upgrade_revisions("heads", tuple(heads)))
    return list(reversed(list(script.walk_revisions())))
