"""The ``--json`` documents of ``current``, ``heads``, ``history``, ``check``, ``verify``,
``upgrade`` and ``downgrade``: one JSON object on stdout, documented in the README ("JSON
output"). Every document has ``"dbshift_json": 1`` (the schema's version; a key is only ever
added within a version) and ``"command"``."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..config import Config

__all__ = ["JSON_VERSION", "document", "print_json", "revision_entry"]

#: The version of the documents' schema.
JSON_VERSION = 1


def document(command: str, **fields: Any) -> dict[str, Any]:
    """A document of ``command`` with ``fields``."""
    return {"dbshift_json": JSON_VERSION, "command": command, **fields}


def print_json(config: Config, doc: dict[str, Any]) -> None:
    """Print ``doc`` as indented JSON."""
    import json

    config.print_stdout(json.dumps(doc, indent=2, default=str))


def revision_entry(script: Any) -> dict[str, Any]:
    """What every document says about one revision."""
    return {
        "revision": script.revision,
        "down_revisions": list(script.versioned_down_revisions or ()),
        "branch_labels": sorted(script.branch_labels or ()),
        "doc": script.doc,
        "is_head": bool(script.is_head),
        "is_merge": bool(script.is_merge_point),
        "path": getattr(script, "path", None),
    }
