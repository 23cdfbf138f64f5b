"""What the command line is made of: the flags of command parameters (Alembic's spellings), the
help of positionals, and how a command function's signature splits into positionals and flags.

Shared by the argparse parser (:mod:`dbshift.cli.main`) and the exact fast path
(:mod:`dbshift.cli.fast_parse`), so that both read a command line the same way.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import types
    from collections.abc import Callable
    from typing import Any

#: Flags for command parameters that have a default, keyed by parameter name.
FLAGS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "template": (
        ("-t", "--template"),
        {"default": "generic", "help": "template to create the environment from (see list_templates)"},
    ),
    "message": (("-m", "--message"), {"help": "message of the new revision"}),
    "sql": (
        ("--sql",),
        {
            "action": "store_true",
            "help": "don't connect: write the SQL to standard output (offline mode)",
        },
    ),
    "tag": (("--tag",), {"help": "arbitrary tag that env.py can read with get_tag_argument()"}),
    "head": (
        ("--head",),
        {"help": "revision (or <branchname>@head, or base) the new revision is based on"},
    ),
    "splice": (
        ("--splice",),
        {"action": "store_true", "help": "allow a non-head revision as the parent"},
    ),
    "depends_on": (
        ("--depends-on",),
        {"action": "append", "help": "revision or branch label the new revision depends on (repeatable)"},
    ),
    "rev_id": (("--rev-id",), {"help": "use this revision id instead of a generated one"}),
    "version_path": (
        ("--version-path",),
        {"help": "version location (from the configuration) to write the new file into"},
    ),
    "branch_label": (("--branch-label",), {"help": "branch label to put on the new revision"}),
    "verbose": (("-v", "--verbose"), {"action": "store_true", "help": "full output"}),
    "resolve_dependencies": (
        ("--resolve-dependencies",),
        {"action": "store_true", "help": "count depends_on revisions as parents"},
    ),
    "autogenerate": (
        ("--autogenerate",),
        {
            "action": "store_true",
            "help": "fill the revision with operations found by comparing the database to the models",
        },
    ),
    "rev_range": (("-r", "--rev-range"), {"help": "range of revisions: [start]:[end]"}),
    "indicate_current": (
        ("-i", "--indicate-current"),
        {"action": "store_true", "help": "mark the database's current revision(s)"},
    ),
    "purge": (
        ("--purge",),
        {"action": "store_true", "help": "empty the version table before stamping"},
    ),
    "package": (
        ("--package",),
        {"action": "store_true", "help": "write __init__.py files into the new directories"},
    ),
    "no_lock": (
        ("--no-lock",),
        {"action": "store_true", "help": "take no migration lock (config: migration_lock = false)"},
    ),
    "lock_wait": (
        ("--lock-wait",),
        {
            "metavar": "SECONDS",
            "help": "give up waiting for the migration lock after this long, with exit status "
            "75 (default 300; config: lock_wait)",
        },
    ),
    "lock_timeout": (
        ("--lock-timeout",),
        {
            "metavar": "DURATION",
            "help": "how long each statement may wait for a table lock (e.g. 2s); PostgreSQL "
            "then retries the rolled-back unit (config: lock_timeout)",
        },
    ),
    "lock_retries": (
        ("--lock-retries",),
        {
            "metavar": "N",
            "help": "retries of a unit that hit lock_timeout/statement_timeout (default 3)",
        },
    ),
    "statement_timeout": (
        ("--statement-timeout",),
        {
            "metavar": "DURATION",
            "help": "how long each statement may run (PostgreSQL, MariaDB; config: "
            "statement_timeout)",
        },
    ),
    "check_heads": (
        ("-c", "--check-heads"),
        {
            "action": "store_true",
            "help": "fail (DatabaseNotAtHead) unless the database is at every head revision",
        },
    ),
    "since": (("--since",), {"help": "check the revisions after this one (up to the heads)"}),
    "dialect": (
        ("--dialect",),
        {"help": "check offline for this database (postgresql, mysql, mariadb, sqlite, ...)"},
    ),
    "server_version": (
        ("--server-version",),
        {"help": "the database server version to check for offline (15, 8.0.32, ...)"},
    ),
    "url": (("--url",), {"help": "database URL to use instead of the one env.py connects to"}),
    "json_output": (
        ("--json",),
        {"action": "store_true", "help": "print one JSON document (see the README's JSON output)"},
    ),
    "allow_changed": (
        ("--allow-changed",),
        {
            "action": "store_true",
            "help": "go on although applied revision files changed since they were recorded "
            "(this run only)",
        },
    ),
    "applied": (
        ("--applied",),
        {"action": "store_true", "help": "show the database's applied history (who ran what, when)"},
    ),
    "accept": (
        ("--accept",),
        {
            "metavar": "REV",
            "help": "record the applied revision's file as it is now (its new checksum)",
        },
    ),
    "output_format": (
        ("--format",),
        {"default": "text", "help": "output format: text or json"},
    ),
}

#: Help for the positional parameters of the built-in commands.
POSITIONAL_HELP: dict[str, str] = {
    "directory": "directory of the new migration environment",
    "revision": "revision identifier",
    "revisions": "one or more revisions, or 'heads' for all heads",
    "rev": "revision identifier",
    "rev_range": "revisions: start:end (either end may be left out) or one revision",
}

#: Parameters with a default that the command line takes as an optional positional instead of
#: a flag, by (command, parameter).
OPTIONAL_POSITIONAL = {("lint", "rev_range"), ("plan", "revision"), ("trace", "revision")}

# Parameters that take several values on the command line, and the name they show there.
MANY = {"revisions"}
CLI_NAMES = {("stamp", "revision"): "revisions"}
# Parameters only the Python API has.
API_ONLY = {"process_revision_directives"}


def split_parameters(fn: Callable[..., Any]) -> tuple[list[str], list[tuple[str, Any]]]:
    """(positional names, [(keyword name, default)]) of ``fn`` after its first parameter."""
    code = getattr(fn, "__code__", None)
    if type(fn) is type(first_paragraph) and not hasattr(fn, "__wrapped__") and code is not None:
        return _split_code_parameters(fn, code)
    import inspect

    params = list(inspect.signature(fn).parameters.values())[1:]  # the first one is config
    positional = [
        p.name
        for p in params
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    keywords = [
        (p.name, p.default)
        for p in params
        if p.default is not inspect.Parameter.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    return positional, keywords


def _split_code_parameters(
    fn: types.FunctionType, code: types.CodeType
) -> tuple[list[str], list[tuple[str, Any]]]:
    """:func:`split_parameters` read from a plain function's code object (what
    ``inspect.signature`` reports for it, without importing :mod:`inspect`)."""
    names = code.co_varnames[: code.co_argcount]
    defaults = fn.__defaults__ or ()
    first_default = len(names) - len(defaults)
    positional = [n for n in names[1:first_default]] if first_default > 0 else []
    keywords = [
        (n, defaults[i - first_default])
        for i, n in enumerate(names)
        if i >= max(first_default, 1)
    ]
    kwonly = code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount]
    kwdefaults = fn.__kwdefaults__ or {}
    keywords += [(n, kwdefaults[n]) for n in kwonly if n in kwdefaults]
    return positional, keywords


def first_paragraph(fn: Callable[..., Any]) -> str:
    doc = getattr(fn, "__doc__", None) or ""
    lines = []
    for line in doc.strip().splitlines():
        if not line.strip():
            break
        lines.append(line.strip())
    return " ".join(lines).replace("``", "").replace("%", "%%")
