"""The commands: one function per ``dbshift <command>``, callable from Python as well.

Each function takes a :class:`~dbshift.config.Config` first, mirrors ``alembic.command`` in name,
signature and behaviour, and raises :class:`~dbshift.util.exc.CommandError` for anything the user
got wrong. The CLI (:mod:`dbshift.cli`) builds its sub-commands from these signatures, so a new
parameter here is a new flag there.

Commands that touch the database run the project's ``env.py`` inside an
:class:`~dbshift.runtime.environment.EnvironmentContext` whose ``fn`` plans the steps; graph-only
commands (``heads``, ``history``, ``branches``, ``show``) read revision headers and never import
SQLAlchemy or a revision module. Imports are lazy for that reason.
"""

from __future__ import annotations

from .editing import edit
from .inspection import branches, current, heads, history, show
from .lint import lint
from .migrate import downgrade, ensure_version, stamp, upgrade
from .plan import plan
from .scaffold import init, list_templates
from .trace import trace
from .verify import verify
from .writing import check, merge, revision

__all__ = [
    "branches",
    "check",
    "current",
    "downgrade",
    "edit",
    "ensure_version",
    "heads",
    "history",
    "init",
    "lint",
    "list_templates",
    "merge",
    "plan",
    "revision",
    "show",
    "stamp",
    "trace",
    "upgrade",
    "verify",
]
