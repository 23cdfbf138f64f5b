"""Run ``pytest --test-alembic`` on a project as a user would, under dbshift's plugin or under
pytest-alembic with Alembic 1.20.1, and read what each built-in test did.

dbshift's runs use this test run's interpreter (its virtualenv has dbshift and pytest, and no
pytest-alembic); the reference runs use ``.venv-eco-alembic`` (pytest-alembic 0.13.1, Alembic
1.20.1, no dbshift; ``scripts/setup_ecosystem_venvs.sh``). Each run starts on an empty database of
its own.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[3]
REFERENCE_PYTHON = ROOT / ".venv-eco-alembic" / "bin" / "python"
PYTHONS = {"dbshift": Path(sys.executable), "pytest-alembic": REFERENCE_PYTHON}
TOOLS = tuple(PYTHONS)

_DROPPED_ENV = (
    "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "ALEMBIC_CONFIG", "DBSHIFT_CONFIG",
    "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST",
)

ENV_PY = """\
from alembic import context
from sqlalchemy import engine_from_config, pool

from app.models import metadata

config = context.config
target_metadata = metadata


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = context.config.attributes.get("connection", None)
    if connectable is None:
        connectable = engine_from_config(
            config.get_section(config.config_ini_section), prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"""
SCRIPT_MAKO = '''\
"""${message}"""
import sqlalchemy as sa
from alembic import op

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''
#: The conftest of pytest-alembic's documentation: an engine fixture from the environment.
CONFTEST = """\
import os

import pytest
import sqlalchemy as sa


@pytest.fixture
def alembic_engine():
    engine = sa.create_engine(os.environ["PLUGIN_TEST_URL"], poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()
"""

#: The same with an empty database for every test, as pytest-mock-resources' fixtures give.
FRESH_CONFTEST = """\
import os

import pytest
import sqlalchemy as sa


@pytest.fixture
def alembic_engine():
    url = sa.make_url(os.environ["PLUGIN_TEST_URL"])
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        backend = url.get_backend_name()
        if backend == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        elif backend in ("mysql", "mariadb"):
            conn.exec_driver_sql(f"DROP DATABASE `{url.database}`")
            conn.exec_driver_sql(f"CREATE DATABASE `{url.database}`")
        else:
            metadata = sa.MetaData()
            metadata.reflect(conn)
            metadata.drop_all(conn)
        conn.commit()
    yield engine
    engine.dispose()
"""


def revision(rev: str, down: str | tuple[str, ...] | None, upgrade: str, downgrade: str,
             message: str = "step", header: str = "") -> str:
    """The text of a revision file."""
    body_up = textwrap.indent(textwrap.dedent(upgrade).strip() or "pass", "    ")
    body_down = textwrap.indent(textwrap.dedent(downgrade).strip() or "pass", "    ")
    return (
        f'"""{message}"""\nimport sqlalchemy as sa\nfrom alembic import op\n{header}\n'
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\n"
        f"depends_on = None\n\n\ndef upgrade():\n{body_up}\n\n\ndef downgrade():\n{body_down}\n"
    )


@dataclass
class Project:
    """A project laid out as pytest-alembic's documentation shows."""

    revisions: dict[str, str]
    models: str
    conftest: str = CONFTEST
    ini: str = ""
    extra_files: dict[str, str] | None = None

    def write(self, where: Path) -> Path:
        versions = where / "migrations" / "versions"
        versions.mkdir(parents=True)
        (where / "tests").mkdir()
        (where / "app" / "models").mkdir(parents=True)
        (where / "app" / "__init__.py").write_text("")
        (where / "app" / "models" / "__init__.py").write_text(self.models)
        (where / "migrations" / "env.py").write_text(ENV_PY)
        (where / "migrations" / "script.py.mako").write_text(SCRIPT_MAKO)
        for name, text in self.revisions.items():
            (versions / name).write_text(text)
        (where / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
        (where / "pytest.ini").write_text(f"[pytest]\npythonpath = .\n{self.ini}")
        (where / "tests" / "conftest.py").write_text(self.conftest)
        for name, text in (self.extra_files or {}).items():
            path = where / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return where


@dataclass
class Outcome:
    """What one built-in test did: ``passed``, ``failure``, ``error`` or ``skipped``, and the
    failure's text."""

    result: str
    text: str

    def block(self, title: str) -> str | None:
        """The first line of a ``title:`` context block of the failure, if it has one."""
        found = re.search(rf"^\s*{re.escape(title)}:\n\s+(.*)$", self.text, re.MULTILINE)
        return found.group(1).strip() if found else None

    @property
    def headline(self) -> str:
        """The failure message's first line (without pytest's ``E   `` / exception prefix)."""
        for line in self.text.splitlines():
            line = re.sub(r"^E\s+", "", line.strip())
            line = re.sub(r"^[\w.]*(AlembicTestFailure|MigrationTestFailure): ", "", line)
            if line:
                return line
        return ""


@dataclass
class Run:
    """One ``pytest --test-alembic`` run."""

    tool: str
    returncode: int
    output: str
    outcomes: dict[str, Outcome]

    def describe(self) -> str:
        return f"{self.tool} (exit {self.returncode}):\n{self.output[-4000:]}"


def run_pytest(tool: str, project: Path, url: str, *args: str) -> Run:
    """``python -m pytest --test-alembic`` in ``project`` with ``tool``'s interpreter."""
    report = project / f"report-{tool}.xml"
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env["PLUGIN_TEST_URL"] = url
    done = subprocess.run(
        [str(PYTHONS[tool]), "-m", "pytest", "--test-alembic", "-p", "no:cacheprovider",
         "-p", "no:randomly", "-q", "-rA", f"--junitxml={report}", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )
    outcomes: dict[str, Outcome] = {}
    if report.exists():
        for case in ET.parse(report).getroot().iter("testcase"):
            problem = next(
                (c for c in case if c.tag in ("failure", "error", "skipped")), None
            )
            if problem is None:
                outcomes[case.get("name", "")] = Outcome("passed", "")
            else:
                text = (problem.get("message") or "") + "\n" + (problem.text or "")
                outcomes[case.get("name", "")] = Outcome(problem.tag, text)
    return Run(tool, done.returncode, done.stdout + done.stderr, outcomes)


# --------------------------------------------------------------------------- databases


def fresh_database(backend: str, server_url: str | None, project: Path, tool: str) -> str:
    """An empty database for one run of ``tool``; its URL."""
    if backend == "sqlite":
        path = project / f"{tool}.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    assert server_url is not None
    url = sa.make_url(server_url)
    name = f"{url.database}_pa_{tool.replace('-', '_')}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
                conn.exec_driver_sql(f"CREATE DATABASE `{name}`")
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def run_both(
    project: Project, base: Path, backend: str, server_url: str | None, *args: str
) -> dict[str, Run]:
    """The project under each tool, each in its own copy and on its own empty database (the two
    runs at the same time)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(tool: str) -> Run:
        where = project.write(base / tool)
        url = fresh_database(backend, server_url, where, tool)
        return run_pytest(tool, where, url, *args)

    with ThreadPoolExecutor(max_workers=len(TOOLS)) as pool:
        found = dict(zip(TOOLS, pool.map(one, TOOLS)))
    return found
