"""A small migration project on disk, and running ``dbshift`` on it in subprocesses.

Revision ``r1`` creates ``side_effects(rev)``; every revision ``rN`` creates table ``tN`` and
inserts its id into ``side_effects``, so a revision applied twice shows up (twice the row, or a
failed CREATE TABLE). ``env.py`` is Alembic's generic one, importing ``context`` from dbshift or
from ``alembic`` (the compatibility alias), with two test hooks driven by the environment:

- ``LOCK_TEST_BARRIER=<dir>:<n>``: each process waits there until ``n`` processes arrived, so
  they all reach ``run_migrations`` together and really race;
- ``LOCK_TEST_HOLD=<dir>``: the first revision writes ``<dir>/holding.<pid>`` and waits for
  ``<dir>/go`` (or forever), so a test can keep the lock held.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dbshift.config import Config

ENV_PY = '''
import logging
import os
import time
from pathlib import Path

from sqlalchemy import engine_from_config, pool

from {package} import context

config = context.config
if not config.attributes.get("in_process"):  # the generic template's logging, in short
    logging.basicConfig(format="%(levelname)-5.5s [%(name)s] %(message)s")
    logging.getLogger("alembic").setLevel(logging.INFO)


def barrier():
    spec = os.environ.get("LOCK_TEST_BARRIER")
    if not spec:
        return
    where, count = spec.rsplit(":", 1)
    Path(where, str(os.getpid())).write_text("")
    deadline = time.monotonic() + 120
    while len(os.listdir(where)) < int(count) and time.monotonic() < deadline:
        time.sleep(0.005)


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:  # the cookbook's shared connection
    context.configure(connection=config.attributes["connection"], target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
else:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {{}}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None{configure_extra})
        barrier()
        with context.begin_transaction():
            context.run_migrations()
'''

REVISION = '''"""revision {n}"""
import os
import time
from pathlib import Path

import sqlalchemy as sa
from {package} import op

revision = "r{n}"
down_revision = {down}
branch_labels = None
depends_on = None


def hold():
    where = os.environ.get("LOCK_TEST_HOLD")
    if not where:
        return
    Path(where, f"holding.{{os.getpid()}}").write_text("")
    while not Path(where, "go").exists():
        time.sleep(0.02)


def upgrade():
{first}    op.create_table("t{n}", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO side_effects (rev) VALUES ('r{n}')")
{extra}

def downgrade():
    op.drop_table("t{n}")
'''

FIRST = '''    hold()
    op.create_table("side_effects", sa.Column("rev", sa.String(32), nullable=False))
'''


#: The processes started by :func:`start`, for :func:`kill_leftovers`.
STARTED: list[subprocess.Popen[str]] = []


@dataclass
class Result:
    """One finished ``dbshift`` process."""

    returncode: int
    stdout: str
    stderr: str


def write_project(
    root: Path,
    url: str,
    revisions: int = 3,
    *,
    package: str = "dbshift",
    ini_extra: str = "",
    configure_extra: str = "",
    extra_upgrade: Mapping[int, str] | None = None,
) -> Path:
    """A project in ``root`` with ``revisions`` revisions; returns ``root``."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    (root / "alembic.ini").write_text(
        textwrap.dedent(
            f"""\
            [alembic]
            script_location = %(here)s/migrations
            sqlalchemy.url = {url.replace('%', '%%')}
            """
        )
        + ini_extra
    )
    env = ENV_PY.format(package=package, configure_extra=configure_extra)
    (root / "migrations" / "env.py").write_text(env)
    (root / "migrations" / "script.py.mako").write_text("")
    for n in range(1, revisions + 1):
        extra = (extra_upgrade or {}).get(n, "")
        (versions / f"r{n}.py").write_text(
            REVISION.format(
                n=n,
                package=package,
                down=repr(f"r{n - 1}") if n > 1 else None,
                first=FIRST if n == 1 else "",
                extra=textwrap.indent(textwrap.dedent(extra), "    ") if extra else "",
            )
        )
    return root


def start(
    root: Path,
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    argv: Sequence[str] | None = None,
    stderr_file: Path | None = None,
) -> subprocess.Popen[str]:
    """Start ``python -m dbshift <args>`` (or ``python <argv>``) in ``root``; with
    ``stderr_file``, its standard error goes there (to watch it while it runs)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    command = [sys.executable, *argv] if argv is not None else [sys.executable, "-m", "dbshift"]
    process = subprocess.Popen(
        [*command, *args],
        cwd=root,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=open(stderr_file, "w") if stderr_file is not None else subprocess.PIPE,  # noqa: SIM115
        text=True,
    )
    process.stderr_file = stderr_file  # type: ignore[attr-defined]
    STARTED.append(process)
    return process


def kill_leftovers() -> None:
    """Kill the processes :func:`start` started that still run (a test failed midway)."""
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait()


def finish(process: subprocess.Popen[str], timeout: float = 180) -> Result:
    """Wait for ``process``; its exit status and output."""
    out, err = process.communicate(timeout=timeout)
    stderr_file = getattr(process, "stderr_file", None)
    if stderr_file is not None:
        err = Path(stderr_file).read_text()
    return Result(process.returncode, out, err or "")


def run(root: Path, args: Sequence[str], env: Mapping[str, str] | None = None) -> Result:
    """Run ``python -m dbshift <args>`` in ``root`` to the end."""
    return finish(start(root, args, env))


def race(
    root: Path,
    processes: int,
    args: Sequence[str] = ("upgrade", "head"),
    *,
    argv: Sequence[str] | None = None,
    roots: Sequence[Path] | None = None,
) -> list[Result]:
    """``processes`` runs of ``dbshift <args>`` (or ``python <argv> <args>``) released together
    at the barrier in env.py; ``roots`` spreads them over several copies of the project."""
    gate = root / f"barrier-{time.monotonic_ns()}"
    gate.mkdir()
    where = list(roots or [root])
    started = [
        start(where[i % len(where)], args, {"LOCK_TEST_BARRIER": f"{gate}:{processes}"}, argv=argv)
        for i in range(processes)
    ]
    return [finish(p) for p in started]


def wait_for(predicate: Callable[[], object], timeout: float = 60.0, what: str = "it") -> None:
    """Poll ``predicate()`` until true (an AssertionError naming ``what`` after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def config(root: Path, **attributes: object) -> Config:
    """A ``Config`` for running commands on the project in this process (no logging setup)."""
    return Config(str(root / "alembic.ini"), attributes={"in_process": True, **attributes})


def python_api_script(root: Path) -> Path:
    """A script that runs ``command.upgrade(Config(alembic.ini), "head")`` (the Python API)."""
    path = root / "api_upgrade.py"
    path.write_text(
        "import sys\n"
        "from dbshift import command\n"
        "from dbshift.config import Config\n"
        "command.upgrade(Config(sys.argv[1]), 'head')\n"
    )
    return path
