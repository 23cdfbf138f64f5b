"""Run the Alembic ecosystem packages under both tools and compare what each leaves behind.

Two virtualenvs (``scripts/setup_ecosystem_venvs.sh``) hold the same pinned packages:
``.venv-eco-alembic`` with Alembic 1.20.1 (the reference) and ``.venv-eco`` with dbshift (an
editable install) and no Alembic. A third, ``.venv-eco-both``, has Alembic and dbshift (installed
from a wheel) side by side. Every program runs as a subprocess of one of them, as a user would
type it, so nothing here imports Alembic or the packages.

A difference found in dbshift's run raises :class:`EcosystemGap`. Tests for gaps dbshift has
today carry :func:`known_gap`: a strict xfail that only accepts an ``EcosystemGap`` whose message
contains the recorded failure. A failure of the reference run itself, or a gap that changed, fails
the test outright.
"""

from __future__ import annotations

import difflib
import functools
import os
import pprint
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
VENVS = {
    "alembic": ROOT / ".venv-eco-alembic",
    "dbshift": ROOT / ".venv-eco",
    "both": ROOT / ".venv-eco-both",
}
TOOLS = ("alembic", "dbshift")
#: Each tool's command-line program; a step's argv starting with :data:`CLI` runs it.
PROGRAMS = {"alembic": "alembic", "dbshift": "dbshift"}
CLI = "<cli>"
SETUP_HINT = "run scripts/setup_ecosystem_venvs.sh"
T = TypeVar("T")

#: Variables of the calling environment that would change what the subprocesses do.
_DROPPED_ENV = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "VIRTUAL_ENV",
    "ALEMBIC_CONFIG",
    "DBSHIFT_CONFIG",
    "DBSHIFT_ALEMBIC_SHIM",
    "FLASK_APP",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
)


class EcosystemGap(AssertionError):
    """dbshift's run of an ecosystem package differs from Alembic's run of it."""


def known_gap(current_failure: str) -> Callable[[Callable[..., Any]], Any]:
    """Mark a test as a strict xfail for a gap dbshift has today.

    The test must end in an :class:`EcosystemGap` whose message contains ``current_failure``;
    any other failure (the reference run broke, or the gap moved on to another message) fails
    the test, and so does a pass (strict), which says the mark can go.
    """

    def decorate(test: Callable[..., Any]) -> Any:
        @functools.wraps(test)
        def checked(*args: Any, **kwargs: Any) -> Any:
            try:
                return test(*args, **kwargs)
            except EcosystemGap as gap:
                if current_failure not in str(gap):
                    raise AssertionError(
                        f"the known gap changed: the mark expects {current_failure!r}, "
                        f"the run now says:\n{gap}"
                    ) from None
                raise

        mark = pytest.mark.xfail(strict=True, raises=EcosystemGap, reason=current_failure)
        return mark(checked)

    return decorate


def missing_venvs() -> list[str]:
    """The ecosystem virtualenvs that do not exist (their paths)."""
    return [str(path) for path in VENVS.values() if not (path / "bin" / "python").exists()]


def site_packages(tool: str) -> Path:
    """The ``site-packages`` folder of ``tool``'s virtualenv."""
    found = sorted((VENVS[tool] / "lib").glob("python3*/site-packages"))
    assert found, f"no site-packages in {VENVS[tool]}"
    return found[0]


def stale_venvs() -> list[str]:
    """What in the dbshift virtualenvs no longer matches this checkout: the start-up hook file
    (an editable install copies it at install time) and, in ``.venv-eco-both`` (a wheel
    install), every file of the package."""
    stale = []
    expected_pth = _setup_module().startup_hook_pth()
    for tool in ("dbshift", "both"):
        pth = site_packages(tool) / _setup_module().PTH_NAME
        if not pth.exists() or pth.read_text(encoding="utf-8") != expected_pth:
            stale.append(f"{pth.name} in {VENVS[tool].name}")
    record = next(site_packages("both").glob("dbshift-*.dist-info/RECORD"), None)
    if record is None:
        return stale + [f"dbshift in {VENVS['both'].name}"]
    installed = {}
    for line in record.read_text().splitlines():
        path, digest, _ = line.rsplit(",", 2)
        if path.startswith("dbshift/") and digest and "__pycache__" not in path:
            installed[path] = digest
    source = {
        str(p.relative_to(ROOT / "src")): p
        for p in (ROOT / "src" / "dbshift").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    changed = sorted(
        name for name in set(installed) | set(source)
        if name not in installed or name not in source or installed[name] != _digest(source[name])
    )
    if changed:
        stale.append(f"dbshift in {VENVS['both'].name} ({', '.join(changed[:3])}...)")
    return stale


def _digest(path: Path) -> str:
    import base64
    import hashlib

    raw = hashlib.sha256(path.read_bytes()).digest()
    return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@functools.cache
def _setup_module() -> Any:
    """The project's ``setup.py`` as a module (importing it builds nothing)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("dbshift_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------------------------
# running programs


@dataclass(frozen=True)
class Run:
    """One finished subprocess: the command line and what it returned and printed."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        """The command, its exit status and its output, for failure messages."""
        return (
            f"$ {' '.join(self.argv)}  [exit {self.returncode}]\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )

    def last_error_line(self) -> str:
        """The last non-empty line of stderr (else stdout): where a failure usually says why."""
        for text in (self.stderr, self.stdout):
            lines = [line for line in text.splitlines() if line.strip()]
            if lines:
                return lines[-1].strip()
        return ""


def run_in_venv(
    tool: str,
    argv: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
    stdin: str | None = None,
) -> Run:
    """Run ``argv`` in ``tool``'s virtualenv, as a user with that venv activated would.

    ``argv[0]`` names a program of the venv's ``bin`` (``flask``, ``alembic``, ``dbshift``,
    ``python``); a program the venv does not have ends like a shell's "command not found".
    """
    venv = VENVS[tool]
    program = venv / "bin" / argv[0]
    if not program.exists():
        return Run(tuple(argv), 127, "", f"{argv[0]}: command not found in {venv.name}\n")
    environ = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    environ["PATH"] = f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    environ["VIRTUAL_ENV"] = str(venv)
    environ["PYTHONHASHSEED"] = "0"
    environ["PYTHONDONTWRITEBYTECODE"] = "1"
    environ.update(env or {})
    # No terminal on the standard input: Alembic lays its status lines out for one when there is.
    proc = subprocess.run(
        [str(program), *argv[1:]],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **({"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}),
    )
    return Run(tuple(argv), proc.returncode, proc.stdout, proc.stderr)


def without_project_path(text: str, project: Path) -> str:
    """``text`` with the project's directory written as ``<project>``."""
    return text.replace(str(project), "<project>")


_CREATE_DATE = re.compile(r"^Create Date: .*$", re.MULTILINE)


#: dbshift's marker comments in generated revisions name dbshift (a deliberate difference,
#: issue 13): compared as Alembic's.
_MARKERS = (
    ("# ### commands auto generated by dbshift - please adjust! ###",
     "# ### commands auto generated by Alembic - please adjust! ###"),
    ("# ### end dbshift commands ###", "# ### end Alembic commands ###"),
)


def as_alembic_markers(text: str) -> str:
    """``text`` with dbshift's marker comments written as Alembic's."""
    for ours, alembics in _MARKERS:
        text = text.replace(ours, alembics)
    return text


def revision_text(path: Path) -> str:
    """A generated revision file's text, with its creation time blanked out (and dbshift's
    marker comments as Alembic's)."""
    return as_alembic_markers(_CREATE_DATE.sub("Create Date: <date>", path.read_text()))


def revision_files(project: Path, versions: str = "migrations/versions") -> dict[str, str]:
    """Every revision file of a project, by file name, as :func:`revision_text` gives it."""
    folder = project / versions
    return {p.name: revision_text(p) for p in sorted(folder.glob("*.py"))}


# ----------------------------------------------------------------------------------------------
# comparing


def assert_same(what: str, alembic_value: Any, dbshift_value: Any) -> None:
    """Raise :class:`EcosystemGap` (with a diff) unless dbshift's value equals Alembic's."""
    if alembic_value == dbshift_value:
        return
    left = _lines(alembic_value)
    right = _lines(dbshift_value)
    diff = "\n".join(
        difflib.unified_diff(left, right, "alembic", "dbshift", lineterm="", n=2)
    )
    raise EcosystemGap(f"{what} differs from Alembic's:\n{diff}")


def _lines(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.splitlines()
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        lines: list[str] = []
        for key in sorted(value):
            lines.append(f"### {key}")
            lines.extend(_lines(value[key]))
        return lines
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return pprint.pformat(value, width=100).splitlines()


# ----------------------------------------------------------------------------------------------
# databases


def reset_database(url: str) -> None:
    """Empty a dedicated PostgreSQL test database (its ``public`` schema, recreated)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


def schema_snapshot(url: str) -> dict[str, Any]:
    """What a migration leaves in a database, as plain data to compare.

    Tables with their columns (type, nullability, server default), primary keys, indexes,
    unique and foreign-key constraints; the ``alembic_version`` rows; on PostgreSQL also the
    views, functions and triggers of ``public`` with their definitions and the enum types with
    their labels.
    """
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            tables: dict[str, Any] = {}
            # dbshift's applied history and journal (README: "Applied history, checksums and
            # resume") are its deliberate addition beside the version table: not compared
            own = ("alembic_version_history", "alembic_version_journal")
            for name in sorted(n for n in insp.get_table_names() if n not in own):
                tables[name] = {
                    "columns": [
                        (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                        for c in insp.get_columns(name)
                    ],
                    "pk": insp.get_pk_constraint(name).get("constrained_columns"),
                    "indexes": sorted(
                        (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                        for i in insp.get_indexes(name)
                    ),
                    "uniques": sorted(
                        (u["name"], tuple(u["column_names"]))
                        for u in insp.get_unique_constraints(name)
                    ),
                    "foreign_keys": sorted(
                        (tuple(f["constrained_columns"]), f["referred_table"],
                         tuple(f["referred_columns"]))
                        for f in insp.get_foreign_keys(name)
                    ),
                }
            snapshot: dict[str, Any] = {"tables": tables, "versions": _version_rows(conn, tables)}
            if engine.dialect.name == "postgresql":
                snapshot.update(_postgresql_objects(conn, insp))
            return snapshot
    finally:
        engine.dispose()


def _version_rows(conn: sa.Connection, tables: Mapping[str, Any]) -> list[str] | None:
    if "alembic_version" not in tables:
        return None
    return sorted(r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version"))


def _postgresql_objects(conn: sa.Connection, insp: Any) -> dict[str, Any]:
    views = {
        name: " ".join(insp.get_view_definition(name).split())
        for name in sorted(insp.get_view_names())
    }
    functions = dict(
        conn.exec_driver_sql(
            "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', "
            "pg_get_functiondef(p.oid) FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' ORDER BY 1"
        ).all()
    )
    triggers = dict(
        conn.exec_driver_sql(
            "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = 'public' ORDER BY 1"
        ).all()
    )
    enums = {e["name"]: list(e["labels"]) for e in insp.get_enums()}
    return {"views": views, "functions": functions, "triggers": triggers, "enums": enums}



# ----------------------------------------------------------------------------------------------
# command sequences


@dataclass(frozen=True)
class Step:
    """One command of a scripted session: a label, the command line and extra environment."""

    label: str
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()


def per_tool(session: Callable[[str], T]) -> dict[str, T]:
    """``session(tool)`` for both tools, side by side in two threads (each in its own project
    and database), by tool."""
    with ThreadPoolExecutor(len(TOOLS)) as pool:
        return dict(zip(TOOLS, pool.map(session, TOOLS)))


def run_steps(
    tool: str,
    steps: Sequence[Step],
    project: Path,
    env: Mapping[str, str],
    after: Callable[[Step], None] | None = None,
) -> dict[str, Run]:
    """Run every step in order (whatever each one returns), calling ``after(step)`` after each.

    A step whose command starts with :data:`CLI` runs the tool's own program (``alembic`` or
    ``dbshift``) with the rest of its arguments.
    """
    runs: dict[str, Run] = {}
    for step in steps:
        argv = (PROGRAMS[tool], *step.argv[1:]) if step.argv[:1] == (CLI,) else step.argv
        runs[step.label] = run_in_venv(tool, argv, project, {**env, **dict(step.env)})
        if after is not None:
            after(step)
    return runs


def assert_same_outcomes(alembic_runs: Mapping[str, Run], dbshift_runs: Mapping[str, Run]) -> None:
    """Each step must succeed or fail under dbshift as it does under Alembic.

    The :class:`EcosystemGap` names the first step that ended differently and shows dbshift's
    output for it.
    """
    for label, reference in alembic_runs.items():
        run = dbshift_runs[label]
        if (run.returncode == 0) != (reference.returncode == 0):
            raise EcosystemGap(
                f"step {label!r} exited {run.returncode} under dbshift and "
                f"{reference.returncode} under Alembic; dbshift's run: "
                f"{run.last_error_line()}\n{run.describe()}"
            )


# ----------------------------------------------------------------------------------------------
# a plain Alembic project, as the tests write it


ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
sqlalchemy.url = {url}

[loggers]
keys = root,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

SCRIPT_TEMPLATE = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''

#: env.py for ``models.metadata``; ``{imports}`` adds the plugin imports a project needs. A
#: connection handed over in ``config.attributes["connection"]`` (as pytest-alembic does) is used
#: instead of the URL, and then logging is left as the caller set it.
ENV_PY = """\
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

{imports}import models

config = context.config
connectable = config.attributes.get("connection")
if connectable is None:
    fileConfig(config.config_file_name)
    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=models.metadata)
    with context.begin_transaction():
        context.run_migrations()
"""


def write_project(
    project: Path, url: str, models: str, env_imports: str = "",
    revisions: Mapping[str, str] | None = None,
) -> None:
    """Write ``alembic.ini``, ``migrations/`` (env.py, template, revisions) and ``models.py``."""
    versions = project / "migrations" / "versions"
    versions.mkdir(parents=True)
    (project / "alembic.ini").write_text(ALEMBIC_INI.format(url=url.replace("%", "%%")))
    (project / "migrations" / "env.py").write_text(ENV_PY.format(imports=env_imports))
    (project / "migrations" / "script.py.mako").write_text(SCRIPT_TEMPLATE)
    (project / "models.py").write_text(models)
    for name, text in (revisions or {}).items():
        (versions / name).write_text(text)
