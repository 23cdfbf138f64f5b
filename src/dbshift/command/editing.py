"""``edit``: open revision files in the user's editor."""

from __future__ import annotations

import os
import sys

from ..util.exc import CommandError
from .project import run_env, script_directory

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from ..config import Config
    from ..runtime.migration import MigrationContext


def edit(config: Config, rev: str) -> None:
    """Open the revision file(s) an identifier names in $EDITOR (else $VISUAL, else PATH)."""
    script = script_directory(config)
    if rev == "current":

        def edit_current(heads: Sequence[str], context: MigrationContext) -> list[Any]:
            if not heads:
                raise CommandError("No current revisions: the database is at base")
            for sc in script.get_revisions(tuple(heads)):
                if sc is not None:
                    _open_in_editor(sc.path)
            return []

        run_env(config, script, fn=edit_current, dont_mutate=True)
        return
    revs = [sc for sc in script.get_revisions(rev) if sc is not None]
    if not revs:
        raise CommandError(f"No revision files indicated by symbol {rev!r}")
    for sc in revs:
        _open_in_editor(sc.path)


_EDITORS_POSIX = ("sensible-editor", "editor", "nano", "vim", "code")
_EDITORS_WINDOWS = ("code.exe", "notepad++.exe", "notepad.exe")


def _open_in_editor(path: str, environ: Mapping[str, str] | None = None) -> None:
    """Open ``path`` in $EDITOR, else $VISUAL, else the first editor found on PATH."""
    import subprocess

    env = os.environ if environ is None else environ
    command = _find_editor(env)
    try:
        subprocess.check_call([*command, path])
    except (OSError, subprocess.CalledProcessError) as err:
        raise CommandError(f"Error executing editor {' '.join(command)!r} on {path}: {err}") from err


def _find_editor(env: Mapping[str, str]) -> list[str]:
    import shlex
    import shutil

    candidates: list[list[str]] = []
    for var in ("EDITOR", "VISUAL"):
        choice = env.get(var)
        if not choice:
            continue
        if os.path.isfile(choice):
            return [choice]
        parts = shlex.split(choice)
        if parts:
            candidates.append(parts)
    defaults = _EDITORS_WINDOWS if sys.platform == "win32" else _EDITORS_POSIX
    candidates.extend([name] for name in defaults)
    search_path = env.get("PATH", os.defpath)
    for parts in candidates:
        found = shutil.which(parts[0], path=search_path)
        if found:
            return [found, *parts[1:]]
    raise CommandError(
        "No editor found on PATH; set the EDITOR (or VISUAL) environment variable"
    )
